using System.IO.Compression;
using System.Text;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Customers.Documents;

/// <summary>A file kind the app accepts, recognised by its first bytes (and for Office files, by its parts).</summary>
public sealed record DocumentFormat(string Name, string ContentType, params string[] Extensions);

/// <summary>
/// Decides what a file really is from its content; the name's extension must agree. A renamed executable or a
/// "PDF" that is something else is refused before anything is stored.
/// </summary>
public static class DocumentContent
{
    /// <summary>How many leading bytes <see cref="Sniff"/> needs.</summary>
    public const int HeaderLength = 16;

    public static readonly DocumentFormat Pdf = new("PDF", "application/pdf", ".pdf");
    public static readonly DocumentFormat Png = new("PNG image", "image/png", ".png");
    public static readonly DocumentFormat Jpeg = new("JPEG image", "image/jpeg", ".jpg", ".jpeg");
    public static readonly DocumentFormat Gif = new("GIF image", "image/gif", ".gif");
    public static readonly DocumentFormat WebP = new("WebP image", "image/webp", ".webp");
    public static readonly DocumentFormat Docx = new("Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx");
    public static readonly DocumentFormat Xlsx = new("Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx");
    public static readonly DocumentFormat Pptx = new("PowerPoint presentation", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx");
    public static readonly DocumentFormat LegacyOffice = new("Office 97-2003 document", "application/octet-stream", ".doc", ".xls", ".ppt");

    public const string Accepted = "PDF, PNG, JPEG, GIF, WebP, Word, Excel or PowerPoint";
    public const string AcceptAttribute = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.doc,.xls,.ppt";

    private enum Head { Unknown, Executable, Zip, Known }

    /// <summary>
    /// What the header says. Zip-based Office files need <see cref="CheckOfficePackage"/> on the whole file afterwards,
    /// so for them the result is the format the extension claims, provisionally.
    /// </summary>
    /// <returns>The format, or null with a message for the user.</returns>
    public static (DocumentFormat? Format, string? Error) Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        var (kind, format) = Classify(head);
        switch (kind)
        {
            case Head.Executable:
                return (null, "This file is a program, not a document, so it cannot be uploaded.");
            case Head.Unknown:
                return (null, $"This file is not a document the app accepts ({Accepted}), whatever its name says.");
            case Head.Zip:
                var office = new[] { Docx, Xlsx, Pptx }.FirstOrDefault(f => f.Extensions.Contains(extension));
                return office is null
                    ? (null, $"This file is a zip archive, not a {Accepted} file. Only Word, Excel and PowerPoint files of that kind are accepted.")
                    : (office, null);
        }
        return format!.Extensions.Contains(extension)
            ? (format, null)
            : (null, $"This file's content is a {format.Name}, but its name ends in \"{(extension.Length == 0 ? "(nothing)" : extension)}\". Rename it to {format.Extensions[0]} or upload the right file.");
    }

    private static (Head, DocumentFormat?) Classify(ReadOnlySpan<byte> h)
    {
        if (h.StartsWith("MZ"u8) || h.StartsWith((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F'])
            || h.StartsWith((ReadOnlySpan<byte>)[0xCF, 0xFA, 0xED, 0xFE]) || h.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xED, 0xFA, 0xCF]) || h.StartsWith("#!"u8))
            return (Head.Executable, null);
        if (h.StartsWith("%PDF-"u8)) return (Head.Known, Pdf);
        if (h.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return (Head.Known, Png);
        if (h.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return (Head.Known, Jpeg);
        if (h.StartsWith("GIF87a"u8) || h.StartsWith("GIF89a"u8)) return (Head.Known, Gif);
        if (h.Length >= 12 && h.StartsWith("RIFF"u8) && h[8..12].SequenceEqual("WEBP"u8)) return (Head.Known, WebP);
        if (h.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])) return (Head.Known, LegacyOffice);
        if (h.StartsWith((ReadOnlySpan<byte>)[(byte)'P', (byte)'K', 0x03, 0x04])) return (Head.Zip, null);
        return (Head.Unknown, null);
    }

    /// <summary>A docx, xlsx or pptx is a zip with <c>[Content_Types].xml</c> and its main part; anything else is refused.</summary>
    public static string? CheckOfficePackage(Stream file, DocumentFormat claimed)
    {
        var mainPart = claimed == Docx ? "word/document.xml" : claimed == Xlsx ? "xl/workbook.xml" : "ppt/presentation.xml";
        try
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true, Encoding.UTF8);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (names.Contains("[Content_Types].xml") && names.Contains(mainPart)) return null;
        }
        catch (InvalidDataException)
        {
            return $"This {claimed.Name} is damaged (it cannot be opened as one).";
        }
        return $"This file is a zip archive, not a {claimed.Name}.";
    }
}

/// <summary>Turns whatever the browser sent as a file name into something safe to show and to offer as a download name.</summary>
public static class DocumentFileName
{
    private static readonly char[] Invalid = ['<', '>', ':', '"', '/', '\\', '|', '?', '*'];

    /// <returns>The sanitised name, and whether it differs from what was sent (so the user can be told).</returns>
    public static (string Name, bool Changed) Sanitize(string? raw)
    {
        var original = raw ?? "";
        // Only the last segment, whichever separator the client used: "../../etc/x.pdf" and "C:\x\y.pdf" lose their folders.
        var name = original.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        var cleaned = new StringBuilder(name.Length);
        foreach (var ch in name.Normalize(NormalizationForm.FormC))
        {
            if (char.IsControl(ch) || Invalid.Contains(ch) || char.GetUnicodeCategory(ch) is System.Globalization.UnicodeCategory.Format)
                continue;
            cleaned.Append(ch);
        }
        name = cleaned.ToString().Trim().TrimStart('.').Trim();
        if (name.Length > Data.CustomerDocument.FileNameMax)
        {
            var extension = Path.GetExtension(name);
            if (extension.Length > 20) extension = "";
            name = name[..(Data.CustomerDocument.FileNameMax - extension.Length)].TrimEnd() + extension;
        }
        if (name.Length == 0 || name.Trim('.').Length == 0) name = "document";
        return (name, name != original);
    }
}
