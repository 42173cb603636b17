using System.IO.Compression;
using System.Text;
using CustomerAdmin.Features.Customers.Documents;
namespace CustomerAdmin.Tests.Features.Customers.Documents;

public class DocumentContentTests
{
    public static byte[] PdfBytes => Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n");
    public static byte[] ExeBytes => [(byte)'M', (byte)'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0xB8];
    public static byte[] PngBytes => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];

    public static byte[] Zip(params string[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write("<x/>");
            }
        }
        return memory.ToArray();
    }

    [Theory]
    [InlineData("contract.pdf")]
    [InlineData("CONTRACT.PDF")]
    public void PdfNamedPdfIsAccepted(string name)
    {
        var (format, error) = DocumentContent.Sniff(PdfBytes, name);
        Assert.Null(error);
        Assert.Equal("application/pdf", format!.ContentType);
    }

    [Theory]
    [InlineData("invoice.pdf")]
    [InlineData("photo.png")]
    [InlineData("setup.exe")]
    public void WindowsExecutableIsRefusedWhateverItsName(string name)
    {
        var (format, error) = DocumentContent.Sniff(ExeBytes, name);
        Assert.Null(format);
        Assert.Contains("program", error);
    }

    [Fact]
    public void ElfExecutableAndShellScriptAreRefused()
    {
        Assert.Contains("program", DocumentContent.Sniff([0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0], "a.pdf").Error);
        Assert.Contains("program", DocumentContent.Sniff("#!/bin/sh\nrm -rf /"u8.ToArray(), "a.pdf").Error);
    }

    [Fact]
    public void ContentThatDisagreesWithTheExtensionIsRefused()
    {
        var (format, error) = DocumentContent.Sniff(PngBytes, "contract.pdf");
        Assert.Null(format);
        Assert.Contains("PNG image", error);
        Assert.Contains(".png", error);
    }

    [Fact]
    public void UnknownContentIsRefused()
    {
        var (format, error) = DocumentContent.Sniff("hello, this is plain text"u8.ToArray(), "notes.pdf");
        Assert.Null(format);
        Assert.Contains("not a document", error);
    }

    [Theory]
    [InlineData("photo.jpg", new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10 })]
    [InlineData("anim.gif", new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 1, 0 })]
    [InlineData("old.doc", new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 })]
    [InlineData("old.xls", new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 })]
    public void ImagesAndLegacyOfficeFilesAreRecognised(string name, byte[] head) =>
        Assert.Null(DocumentContent.Sniff(head, name).Error);

    [Fact]
    public void WebPIsRecognisedByItsRiffHeader()
    {
        var head = "RIFF\0\0\0\0WEBPVP8 "u8.ToArray();
        Assert.Equal("image/webp", DocumentContent.Sniff(head, "p.webp").Format!.ContentType);
    }

    [Fact]
    public void OfficePackageNeedsItsMainPart()
    {
        var docx = Zip("[Content_Types].xml", "word/document.xml");
        var (format, error) = DocumentContent.Sniff(docx, "letter.docx");
        Assert.Null(error);
        Assert.Null(DocumentContent.CheckOfficePackage(new MemoryStream(docx), format!));

        // The same zip renamed to .xlsx is not a workbook.
        var (asXlsx, _) = DocumentContent.Sniff(docx, "letter.xlsx");
        Assert.NotNull(DocumentContent.CheckOfficePackage(new MemoryStream(docx), asXlsx!));

        var plainZip = Zip("payload.exe");
        var (claimed, _) = DocumentContent.Sniff(plainZip, "report.docx");
        Assert.Contains("zip archive", DocumentContent.CheckOfficePackage(new MemoryStream(plainZip), claimed!));
        Assert.Contains("zip archive", DocumentContent.Sniff(plainZip, "archive.zip").Error);
    }

    [Theory]
    [InlineData("../../etc/passwd.pdf", "passwd.pdf")]
    [InlineData("..\\..\\windows\\system32\\x.pdf", "x.pdf")]
    [InlineData("C:\\Users\\ann\\Contract 2026.pdf", "Contract 2026.pdf")]
    [InlineData("..", "document")]
    [InlineData("", "document")]
    [InlineData("  .hidden.pdf ", "hidden.pdf")]
    [InlineData("in\u0000voice\u202E.pdf", "invoice.pdf")]
    [InlineData("a<b>c:d|e?.pdf", "abcde.pdf")]
    public void FileNamesLoseFoldersAndUnsafeCharacters(string raw, string expected)
    {
        var (name, changed) = DocumentFileName.Sanitize(raw);
        Assert.Equal(expected, name);
        Assert.True(changed);
    }

    [Fact]
    public void ASafeNameIsKeptAsIsAndALongOneKeepsItsExtension()
    {
        Assert.Equal(("Vertrag Müller.pdf", false), DocumentFileName.Sanitize("Vertrag Müller.pdf"));
        var (name, changed) = DocumentFileName.Sanitize(new string('a', 500) + ".pdf");
        Assert.True(changed);
        Assert.Equal(CustomerAdmin.Data.CustomerDocument.FileNameMax, name.Length);
        Assert.EndsWith(".pdf", name);
    }
}
