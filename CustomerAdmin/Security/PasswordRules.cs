using System.Security.Cryptography;

namespace CustomerAdmin.Security;

public static class PasswordRules
{
    public const int MinLength = 12;

    public const string Description =
        "At least 12 characters, with an upper-case letter, a lower-case letter and a digit.";

    private const string Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string Lower = "abcdefghijkmnopqrstuvwxyz";
    private const string Digits = "23456789";

    /// <summary>
    /// A random password that meets the policy: 20 characters from an alphabet without look-alikes (about 115 bits),
    /// for the first admin, demo users and password resets.
    /// </summary>
    public static string Generate(int length = 20)
    {
        const string all = Upper + Lower + Digits;
        var chars = new char[length];
        chars[0] = Upper[RandomNumberGenerator.GetInt32(Upper.Length)];
        chars[1] = Lower[RandomNumberGenerator.GetInt32(Lower.Length)];
        chars[2] = Digits[RandomNumberGenerator.GetInt32(Digits.Length)];
        for (var i = 3; i < length; i++)
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}
