using System.Security.Cryptography;
using System.Text;

namespace CustomerAdmin.Features.Import.Files;

/// <summary>What a first pass over a text file's raw bytes found out: the encoding to read it with, its hash and size.</summary>
public sealed record TextFileInfo(Encoding Encoding, string? EncodingWarning, string Sha256, long Length, int PreambleLength);

/// <summary>
/// Finds the encoding of an uploaded text file (CSV) from its bytes, for both imports: a byte order mark says UTF-8
/// or UTF-16 (little or big endian); without one, bytes that are valid UTF-8 are read as UTF-8, anything else as
/// Windows-1252, the usual encoding of spreadsheets saved on Windows, with a warning so the user checks accented
/// names in the preview. One pass, in blocks: a 200 MB file is never held in memory.
/// </summary>
public static class TextFileInspector
{
    static TextFileInspector() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static async Task<TextFileInfo> InspectAsync(Stream stream, CancellationToken ct = default)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        var chars = new char[buffer.Length + 4];
        Decoder? utf8 = null;
        Encoding? marked = null;
        var preamble = 0;
        long length = 0;
        long? invalidAt = null;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            var start = 0;
            if (length == 0)
            {
                (marked, preamble) = ByteOrderMark(buffer.AsSpan(0, read));
                start = preamble;
                if (marked is null) utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
            }
            if (utf8 is not null && invalidAt is null)
            {
                try
                {
                    utf8.GetChars(buffer, start, read - start, chars, 0, flush: false);
                }
                catch (DecoderFallbackException ex)
                {
                    invalidAt = length + Math.Max(0, ex.Index);
                }
            }
            length += read;
        }
        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        if (marked is not null) return new(marked, null, hash, length, preamble);
        if (invalidAt is null) return new(new UTF8Encoding(false), null, hash, length, 0);
        return new(Encoding.GetEncoding(1252),
            $"The file is not valid UTF-8 (first bad byte near offset {invalidAt:N0}); it was read as Windows-1252. Check accented names in the preview, or save the file as UTF-8.",
            hash, length, 0);
    }

    private static (Encoding? Encoding, int Length) ByteOrderMark(ReadOnlySpan<byte> head) => head switch
    {
        [0xEF, 0xBB, 0xBF, ..] => (new UTF8Encoding(false), 3),
        [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false), 2),
        [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false), 2),
        _ => (null, 0),
    };
}
