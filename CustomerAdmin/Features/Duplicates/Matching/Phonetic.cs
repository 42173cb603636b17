using System.Text;

namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>
/// A phonetic key after Lawrence Philips' Metaphone (1990), simplified and extended for the transliterated names the
/// app holds ("Ivanova"/"Ivanowa", "Schmidt"/"Smith" stay apart, "Kristina"/"Christina", "Philips"/"Filips",
/// "Jon"/"John", "Meyer"/"Maier", "Smith"/"Smyth" meet). No package on the mirror offers one; the rules are few and tested.
/// Input is folded text (<see cref="MatchText.Fold"/>); spaces are dropped; at most 8 characters.
/// </summary>
public static class Phonetic
{
    private const int MaxLength = 8;

    public static string Key(string folded)
    {
        if (folded.Length == 0) return "";
        Span<char> w = stackalloc char[Math.Min(folded.Length, 64)];
        var n = 0;
        foreach (var ch in folded)
        {
            if (n == w.Length) break;
            if (char.IsAsciiLetterLower(ch)) w[n++] = ch;
        }
        if (n == 0) return "";
        w = w[..n];
        var sb = new StringBuilder(MaxLength);
        var i = 0;
        // Silent first letters.
        if (n > 1 && (w[..2].SequenceEqual("kn") || w[..2].SequenceEqual("gn") || w[..2].SequenceEqual("pn")
            || w[..2].SequenceEqual("wr") || w[..2].SequenceEqual("ps"))) i = 1;
        if (w[0] == 'x') { sb.Append('S'); i = 1; }
        if (i < n && IsVowel(w[i])) { sb.Append('A'); i++; }

        char Get(Span<char> s, int k) => k >= 0 && k < s.Length ? s[k] : '\0';
        void Emit(char code)
        {
            if (sb.Length == 0 || sb[^1] != code) sb.Append(code);
        }

        for (; i < n && sb.Length < MaxLength; i++)
        {
            var c = w[i];
            var next = Get(w, i + 1);
            // Double letters sound once (except c: "acc" -> ks).
            if (c == Get(w, i - 1) && c != 'c') continue;
            switch (c)
            {
                case 'a' or 'e' or 'i' or 'o' or 'u':
                    break;
                case 'y':
                    // A vowel inside a name ("Meyer"/"Maier"), a consonant only in front.
                    if (i == 0 && IsVowel(next)) Emit('Y');
                    break;
                case 'b':
                    if (!(i == n - 1 && Get(w, i - 1) == 'm')) Emit('B');
                    break;
                case 'p':
                    if (next == 'h') { Emit('F'); i++; }
                    else Emit('P');
                    break;
                case 'c':
                    if (next == 'h' && Get(w, i + 2) == 'r') { Emit('K'); i++; }
                    else if (next is 'h' or 'z') { Emit('X'); i++; }
                    else if (next is 'i' or 'e' or 'y') Emit('S');
                    else if (next == 'k') { Emit('K'); i++; }
                    else Emit('K');
                    break;
                case 'k' or 'q':
                    Emit('K');
                    break;
                case 'g':
                    if (next == 'h')
                    {
                        // "gh" is silent after a vowel ("Knight", "Hugh"), hard at the start ("Ghent").
                        if (i == 0) Emit('K');
                        i++;
                    }
                    else if (next == 'n' && (i + 2 == n)) { }
                    else if (next is 'i' or 'e' or 'y') Emit('J');
                    else Emit('K');
                    break;
                case 'j':
                    Emit('J');
                    break;
                case 'd':
                    if (next == 'g' && Get(w, i + 2) is 'e' or 'i' or 'y') { Emit('J'); i++; }
                    else Emit('T');
                    break;
                case 't':
                    // "th" as the T of Thomas and Smyth, not the English fricative: names, not words.
                    if (next == 'h') { Emit('T'); i++; }
                    else if (next == 'c' && Get(w, i + 2) == 'h') { }
                    else if (next == 'z' || next == 's' && Get(w, i + 2) == 'c' && Get(w, i + 3) == 'h') { Emit('X'); i += next == 'z' ? 1 : 3; }
                    else Emit('T');
                    break;
                case 's':
                    if (next == 'h') { Emit('X'); i++; }
                    else if (next == 'c' && Get(w, i + 2) == 'h') { Emit('X'); i += 2; }
                    else if (next == 'z') { Emit('S'); i++; }
                    else Emit('S');
                    break;
                case 'z':
                    Emit('S');
                    break;
                case 'x':
                    Emit('K'); Emit('S');
                    break;
                case 'h':
                    // Sounded only before a vowel and not after one of the letters it softens.
                    if (IsVowel(next) && !(Get(w, i - 1) is 'c' or 's' or 'p' or 't' or 'g') && !IsVowel(Get(w, i - 1))) Emit('H');
                    break;
                case 'w':
                    // "Walter" keeps its W; inside a name W is the V of German and Slavic spellings ("Ivanowa").
                    if (i == 0)
                    {
                        if (next == 'h') { Emit('W'); i++; }
                        else if (IsVowel(next)) Emit('W');
                    }
                    else if (IsVowel(next) || IsVowel(Get(w, i - 1))) Emit('F');
                    break;
                case 'v' or 'f':
                    Emit('F');
                    break;
                default:
                    Emit(char.ToUpperInvariant(c));
                    break;
            }
        }
        return MatchText.Intern(sb.ToString());
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';
}
