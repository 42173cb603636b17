using System.Text;
using Bunit;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Customers.Wizard;
using CustomerAdmin.Features.Import.Values;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CustomerAdmin.Tests.Features.Import.Customers;

/// <summary>
/// The customer import wizard as a manager meets it: a real file of a few hundred rows uploaded through the page's
/// file input, the mapping the headers suggest, the preview as rows will be stored, the date question for ambiguous
/// files, the problems that stop it, and presets saved for the next file.
/// </summary>
public abstract class CustomerImportPageTests : AppComponentTest
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private const string Header = "Customer ID,First Name,Surname,Mobile,E-mail,Town,Favourite colour";

    /// <summary>Rows as another system exports them: phones as people type them, emails in mixed case.</summary>
    private static string CustomersCsv(int rows, string header = Header, Func<int, string>? row = null)
    {
        var text = new StringBuilder(header).Append('\n');
        for (var i = 0; i < rows; i++)
            text.Append(row?.Invoke(i) ?? $"C{i:000},Ann{i},Lee,(617) 555-{1000 + i:0000},Ann{i}@Example.COM,Boston,blue").Append('\n');
        return text.ToString();
    }

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> Upload(string content, string name = "customers.csv")
    {
        var cut = RenderPage<CustomerImportPage>();
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(content, name));
        cut.WaitForAssertion(() => Assert.Contains(name, cut.Find("[data-testid=file-name]").TextContent));
        return cut;
    }

    private static void ToMapping(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut)
    {
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=next-to-mapping]").HasAttribute("disabled")));
        cut.Find("[data-testid=next-to-mapping]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=mapping]"));
    }

    private static string Selected(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, int column) => Value(cut, $"map-{column}");

    /// <summary>What a select shows: its bound value, or the option marked selected.</summary>
    private static string Value(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string testId)
    {
        var select = cut.Find($"[data-testid={testId}]");
        return select.GetAttribute("value") ?? select.QuerySelector("option[selected]")?.GetAttribute("value") ?? "";
    }

    [Fact]
    public void AFileOfHundredsOfRowsIsMappedFromItsHeadersAndPreviewedAsItWillBeStored()
    {
        SignInAs(AppRoles.Manager);
        var cut = Upload(CustomersCsv(300, row: i => i == 7
            ? "C007,Bob,Stone,1.23457E+11,bob@example.com,Boston,red"
            : $"C{i:000},Ann{i},Lee,(617) 555-{1000 + i:0000},Ann{i}@Example.COM,Boston,blue"));
        Assert.Contains("7 columns", cut.Find("[data-testid=file-columns]").TextContent);
        Assert.Equal(",", Value(cut, "import-delimiter"));

        ToMapping(cut);
        Assert.Equal(nameof(CustomerImportField.ExternalReference), Selected(cut, 0));
        Assert.Equal(nameof(CustomerImportField.FirstName), Selected(cut, 1));
        Assert.Equal(nameof(CustomerImportField.LastName), Selected(cut, 2));
        Assert.Equal(nameof(CustomerImportField.PrimaryPhone), Selected(cut, 3));
        Assert.Equal(nameof(CustomerImportField.Email), Selected(cut, 4));
        Assert.Equal(nameof(CustomerImportField.City), Selected(cut, 5));
        Assert.Equal("", Selected(cut, 6));
        // Every select is named by its column's header, so a keyboard or screen-reader user knows which column it is.
        Assert.Equal("map-3", cut.FindAll("label").Single(l => l.TextContent == "Mobile").GetAttribute("for"));
        Assert.Contains("(617) 555-1000", cut.Find("[data-testid=mapping-row-3]").TextContent);

        cut.Find("[data-testid=import-unmapped]").Change(nameof(UnmappedColumns.AddToNotes));
        cut.Find("[data-testid=next-to-preview]").Click();

        cut.WaitForAssertion(() => Assert.Equal(CustomerImportDraft.PreviewRows, cut.FindAll("[data-testid=preview] tbody tr").Count));
        var first = cut.FindAll("[data-testid=preview] tbody tr")[0].TextContent;
        Assert.Contains("Ann0 Lee", first);
        Assert.Contains("+16175551000", first);
        Assert.Contains("ann0@example.com", first);
        Assert.Contains("C000", first);
        Assert.Contains("Excel shortened", cut.Find("[data-testid=preview-problems-9]").TextContent);
        Assert.Contains($"{CustomerImportDraft.PreviewRows - 1} can be imported", cut.Find("[data-testid=preview-summary]").TextContent);
    }

    [Fact]
    public void AFullNameColumnIsSplitAndASemicolonFileCanBeReadWithAnotherDelimiter()
    {
        SignInAs(AppRoles.Manager);
        var cut = Upload(CustomersCsv(200, "Name;Phone;Notes", i => $"Smith, John{i};617 555 {1000 + i:0000};a;b"));
        Assert.Equal(";", Value(cut, "import-delimiter"));
        Assert.Contains("3 columns", cut.Find("[data-testid=file-columns]").TextContent);

        cut.Find("[data-testid=import-delimiter]").Change(",");
        cut.WaitForAssertion(() => Assert.Contains("1 columns", cut.Find("[data-testid=file-columns]").TextContent));
        cut.Find("[data-testid=import-delimiter]").Change(";");
        cut.WaitForAssertion(() => Assert.Contains("3 columns", cut.Find("[data-testid=file-columns]").TextContent));

        ToMapping(cut);
        Assert.Equal(nameof(CustomerImportField.FullName), Selected(cut, 0));
        cut.Find("[data-testid=next-to-preview]").Click();
        cut.WaitForAssertion(() => Assert.Contains("John0 Smith", cut.FindAll("[data-testid=preview] tbody tr")[0].TextContent));
    }

    [Fact]
    public void AmbiguousDatesAreAskedAndNextWaitsForTheAnswer()
    {
        SignInAs(AppRoles.Manager);
        var cut = Upload(CustomersCsv(300, "Name,Mobile,Customer since", i => $"Ann Lee{i},(617) 555-{1000 + i:0000},{i % 12 + 1:00}/{i % 12 + 1:00}/2021"));
        ToMapping(cut);

        Assert.Contains("day/month", cut.Find("[data-testid=date-question]").TextContent);
        Assert.Contains("Say how the file writes dates", cut.Find("[data-testid=mapping-problems]").TextContent);
        Assert.True(cut.Find("[data-testid=next-to-preview]").HasAttribute("disabled"));

        cut.Find("[data-testid=import-dates]").Change(nameof(DateOrder.MonthFirst));
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=next-to-preview]").HasAttribute("disabled")));
        Assert.Empty(cut.FindAll("[data-testid=mapping-problems]"));
        // The question stays, so the answer can be changed.
        Assert.Equal(nameof(DateOrder.MonthFirst), Value(cut, "import-dates"));
    }

    [Fact]
    public void DatesThatTellTheirOrderAreNotAskedAbout()
    {
        SignInAs(AppRoles.Manager);
        // Row 250 has a day over 12: the file is day-first, far past the preview's first rows.
        var cut = Upload(CustomersCsv(300, "Name,Mobile,Customer since", i => $"Ann Lee{i},(617) 555-{1000 + i:0000},{(i == 250 ? 25 : 3):00}/04/2021"));
        ToMapping(cut);

        Assert.Empty(cut.FindAll("[data-testid=date-question]"));
        Assert.False(cut.Find("[data-testid=next-to-preview]").HasAttribute("disabled"));
    }

    [Fact]
    public void AMappingWithoutAPhoneOrAnEmailCannotGoOn()
    {
        SignInAs(AppRoles.Manager);
        var cut = Upload(CustomersCsv(300));
        ToMapping(cut);

        cut.Find("[data-testid=map-3]").Change("");
        cut.WaitForAssertion(() => Assert.Equal("", Selected(cut, 3)));
        Assert.False(cut.Find("[data-testid=next-to-preview]").HasAttribute("disabled"));
        cut.Find("[data-testid=map-4]").Change("");

        cut.WaitForAssertion(() => Assert.Contains("Map a phone or an email", cut.Find("[data-testid=mapping-problems]").TextContent));
        Assert.True(cut.Find("[data-testid=next-to-preview]").HasAttribute("disabled"));

        // A field takes one column: mapping the town column to the phone moves it there.
        cut.Find("[data-testid=map-5]").Change(nameof(CustomerImportField.PrimaryPhone));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=mapping-problems]")));
        Assert.Equal(nameof(CustomerImportField.PrimaryPhone), Selected(cut, 5));
    }

    [Theory]
    [InlineData("", "The file is empty.")]
    [InlineData(Header + "\n", "header row but no customers")]
    [InlineData("\n\n", "The first row is empty")]
    public void AFileWithNothingToImportIsRefusedWithTheReason(string content, string reason)
    {
        SignInAs(AppRoles.Manager);
        var cut = Upload(content);

        cut.WaitForAssertion(() => Assert.Contains(reason, cut.Find("[data-testid=file-error]").TextContent));
        Assert.True(cut.Find("[data-testid=next-to-mapping]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task APresetSavedForOneFileMapsTheNextWhoseColumnsComeInAnotherOrder()
    {
        SignInAs(AppRoles.Manager);
        var cut = Upload(CustomersCsv(300));
        ToMapping(cut);
        cut.Find("[data-testid=map-6]").Change(nameof(CustomerImportField.Tags));
        cut.Find("[data-testid=map-5]").Change("");
        cut.Find("[data-testid=import-unmapped]").Change(nameof(UnmappedColumns.AddToNotes));
        cut.Find("#preset-name").Change("Shop export");
        cut.Find("[data-testid=preset-save]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Shop export", cut.Find("[data-testid=preset-select]").TextContent));
        await using (var db = await Db.Inner.CreateDbContextAsync(Ct))
        {
            var stored = await db.CustomerImportPresets.SingleAsync(Ct);
            Assert.Equal("manager@test.local", stored.UpdatedBy);
            Assert.Contains("Favourite colour", stored.Mapping);
        }

        // The next export of the same system: columns reordered, one more.
        await DisposeComponentsAsync();
        var next = Upload(CustomersCsv(250, "Favourite colour,E-mail,Mobile,Surname,First Name,Customer ID,Town,Shoe size",
            i => $"green,b{i}@example.com,(617) 555-{2000 + i:0000},Ng,Bo{i},X{i},Salem,42"), "next.csv");
        ToMapping(next);
        Assert.Equal(nameof(CustomerImportField.City), Selected(next, 6));
        var preset = next.FindAll("[data-testid=preset-select] option").Single(o => o.TextContent == "Shop export").GetAttribute("value")!;
        next.Find("[data-testid=preset-select]").Change(preset);
        next.Find("[data-testid=preset-load]").Click();

        next.WaitForAssertion(() => Assert.Equal(nameof(CustomerImportField.Tags), Selected(next, 0)));
        Assert.Equal(nameof(CustomerImportField.Email), Selected(next, 1));
        Assert.Equal(nameof(CustomerImportField.PrimaryPhone), Selected(next, 2));
        Assert.Equal(nameof(CustomerImportField.LastName), Selected(next, 3));
        Assert.Equal(nameof(CustomerImportField.FirstName), Selected(next, 4));
        Assert.Equal(nameof(CustomerImportField.ExternalReference), Selected(next, 5));
        Assert.Equal("", Selected(next, 6));
        Assert.Equal(nameof(UnmappedColumns.AddToNotes), Value(next, "import-unmapped"));
    }

    [Fact]
    public async Task APresetIsDeletedAfterConfirmation()
    {
        SignInAs(AppRoles.Admin);
        var cut = Upload(CustomersCsv(300));
        ToMapping(cut);
        cut.Find("#preset-name").Change("Old shop");
        cut.Find("[data-testid=preset-save]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Old shop", cut.Find("[data-testid=preset-select]").TextContent));

        cut.Find("[data-testid=preset-delete]").Click();
        cut.WaitForAssertion(() => cut.Find(".mud-dialog"));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Contains("Delete")).Click();

        cut.WaitForAssertion(() => Assert.DoesNotContain("Old shop", cut.Find("[data-testid=preset-select]").TextContent));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.Equal(0, await db.CustomerImportPresets.CountAsync(Ct));
    }

    [Fact]
    public async Task StaffAreRefusedThePageAndCannotSaveAPreset()
    {
        var policy = typeof(CustomerImportPage).GetCustomAttributes(typeof(AuthorizeAttribute), false).Cast<AuthorizeAttribute>().Single().Policy;
        Assert.Equal(Permissions.CustomersImport, policy);
        Assert.DoesNotContain(AppRoles.Staff, Permissions.Roles[Permissions.CustomersImport]);

        // A manager's open page whose role is taken away: the next save is refused on the server.
        SignInAs(AppRoles.Manager);
        var cut = Upload(CustomersCsv(300));
        ToMapping(cut);
        SignInAs(AppRoles.Staff);
        cut.Find("#preset-name").Change("Not allowed");
        cut.Find("[data-testid=preset-save]").Click();

        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message?.Contains("does not allow") == true));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.Equal(0, await db.CustomerImportPresets.CountAsync(Ct));
    }
}

public sealed class SqliteCustomerImportPageTests : CustomerImportPageTests;

public sealed class PostgresCustomerImportPageTests : CustomerImportPageTests
{
    protected override CustomerAdmin.Data.DatabaseProvider Provider => CustomerAdmin.Data.DatabaseProvider.Postgres;
}
