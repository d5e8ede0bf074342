namespace VectorAspire.Core.Expressions;

internal enum TokenKind
{
    End,
    Int,
    Float,
    String,
    Identifier,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    NotEq,
    AndAnd,
    OrOr,
    Bang,
}

/// <summary>
/// One lexical token. Integers keep their unsigned magnitude so that -9223372036854775808 can be folded exactly by
/// the parser; <see cref="Text"/> is the source slice (used for keywords and error messages).
/// </summary>
internal readonly record struct FilterToken(TokenKind Kind, int Start, string Text, ulong IntMagnitude = 0,
    double FloatValue = 0, string? StringValue = null)
{
    public bool IsWord(string lower, string upper) =>
        Kind == TokenKind.Identifier && (Text == lower || Text == upper);
}
