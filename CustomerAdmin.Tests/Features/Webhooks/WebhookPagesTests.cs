using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Webhooks;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Webhooks;

/// <summary>
/// /settings/webhooks: an admin registers an endpoint (its secret shown once, kept protected), with field errors for a
/// bad URL or no events; /settings/webhooks/deliveries: the log with its attempts, and "Resend" of the same event.
/// </summary>
public sealed class WebhookPagesTests : AppComponentTest
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static void Check(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string type, bool on = true) =>
        cut.WaitForAssertion(() => EventBox(cut, type).Change(on));

    /// <summary>The checkbox input of one event (MudBlazor puts the test id on the input or on its wrapper).</summary>
    private static AngleSharp.Dom.IElement EventBox(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string type)
    {
        var marked = cut.Find($"[data-testid='event-{type}']");
        return marked.TagName == "INPUT" ? marked : marked.QuerySelector("input[type=checkbox]") ?? throw new InvalidOperationException("no checkbox");
    }

    private static string UrlField(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut) =>
        cut.Find("#webhook-url").Closest(".mud-input-control")!.TextContent;

    [Fact]
    public async Task AnAdminAddsAnEndpointWhoseSecretIsShownOnceAndStoredProtected()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderPage<WebhooksPage>();
        cut.WaitForAssertion(() => Assert.Contains("No endpoints yet", cut.Markup));
        cut.Find("#webhook-url").Change("https://hooks.example.com/customer-admin");
        Check(cut, WebhookEvents.CustomerCreated);
        Check(cut, WebhookEvents.BookingCancelled);
        cut.Find("form").Submit();

        var secret = "";
        cut.WaitForAssertion(() => secret = cut.Find("[data-testid=new-webhook-secret]").TextContent.Trim());
        Assert.StartsWith(WebhookOperations.SecretPrefix, secret);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=webhook-row]")));
        var row = cut.Find("[data-testid=webhook-row]").TextContent;
        Assert.Contains("https://hooks.example.com/customer-admin", row);
        Assert.Contains("customer.created, booking.cancelled", row);
        Assert.DoesNotContain(secret, row);
        await using var db = Db.Inner.CreateDbContext();
        var stored = await db.WebhookEndpoints.SingleAsync(Ct);
        Assert.Equal(",customer.created,booking.cancelled,", stored.Events);
        Assert.DoesNotContain(secret, stored.ProtectedSecret);
        Assert.Equal(secret, Services.GetRequiredService<WebhookSecrets>().Unprotect(stored.ProtectedSecret));
        // Only the one note shows it; the stored endpoints as the page lists them never carry it.
        Assert.DoesNotContain(secret, string.Join("|", (await db.WebhookEndpointsAsync(Ct)).Select(e => e.ToString())));
    }

    [Fact]
    public async Task APlainHttpUrlAndNoEventsAreRefusedAtTheirFieldsAndNothingIsStored()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderPage<WebhooksPage>();
        cut.WaitForAssertion(() => Assert.Contains("No endpoints yet", cut.Markup));
        cut.Find("#webhook-url").Change("http://hooks.example.com/customer-admin");
        Check(cut, WebhookEvents.CustomerCreated);
        cut.Find("form").Submit();
        cut.WaitForAssertion(() => Assert.Contains("Use https://", UrlField(cut)));

        cut.Find("#webhook-url").Change("ftp://hooks.example.com/x");
        cut.Find("form").Submit();
        cut.WaitForAssertion(() => Assert.Contains("Use an https:// address", UrlField(cut)));

        cut.Find("#webhook-url").Change("https://hooks.example.com/customer-admin");
        Check(cut, WebhookEvents.CustomerCreated, on: false);
        cut.Find("form").Submit();
        cut.WaitForAssertion(() => Assert.Contains("Choose at least one event", cut.Find(".validation-message").TextContent));

        Assert.Empty(cut.FindAll("[data-testid=new-webhook]"));
        await using var db = Db.Inner.CreateDbContext();
        Assert.Equal(0, await db.WebhookEndpoints.CountAsync(Ct));
    }

    [Fact]
    public async Task TheDeliveryLogShowsAttemptsAndResendQueuesTheSameEventAgain()
    {
        SignInAs(AppRoles.Admin);
        var operations = Services.GetRequiredService<WebhookOperations>();
        var endpoint = await operations.CreateAsync("https://hooks.example.com/a", [WebhookEvents.CustomerCreated], ct: Ct);
        var other = await operations.CreateAsync("https://hooks.example.com/b", [WebhookEvents.CustomerCreated], ct: Ct);
        var now = DateTime.UtcNow;
        WebhookDelivery failed;
        await using (var db = Db.Inner.CreateDbContext())
        {
            // Hundreds of deliveries to the other endpoint: the filter must find the one asked for among them.
            for (var i = 0; i < 300; i++)
            {
                var (id, body) = WebhookOutbox.Event(WebhookEvents.CustomerCreated, now, new { id = i });
                var delivered = WebhookOutbox.NewDelivery(other.Endpoint.Id, id, WebhookEvents.CustomerCreated, body, now, "test");
                delivered.Status = WebhookDeliveryStatus.Delivered;
                db.WebhookDeliveries.Add(delivered);
            }
            var (eventId, payload) = WebhookOutbox.Event(WebhookEvents.CustomerCreated, now, new { id = 7 });
            failed = WebhookOutbox.NewDelivery(endpoint.Endpoint.Id, eventId, WebhookEvents.CustomerCreated, payload, now, "test");
            failed.Status = WebhookDeliveryStatus.Failed;
            failed.Attempts = 2;
            failed.LastStatusCode = 502;
            failed.AttemptLog.Add(new WebhookAttempt { AttemptedAt = now, StatusCode = 500, DurationMs = 12 });
            failed.AttemptLog.Add(new WebhookAttempt { AttemptedAt = now.AddSeconds(30), StatusCode = 502, DurationMs = 15 });
            db.WebhookDeliveries.Add(failed);
            await db.SaveChangesAsync(Ct);
        }

        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>()
            .NavigateTo($"/settings/webhooks/deliveries?endpoint={endpoint.Endpoint.Id}&status=failed");
        var cut = RenderPage<WebhookDeliveriesPage>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=delivery-row]")));
        var row = cut.Find("[data-testid=delivery-row]");
        Assert.Equal(failed.EventId, row.GetAttribute("data-event-id"));
        Assert.Equal(["500", "502"], cut.FindAll("[data-testid=delivery-attempt]").Select(a => a.TextContent.Split('·')[1].Trim()));

        cut.Find("[data-testid=delivery-resend]").Click();

        await using var check = Db.Inner.CreateDbContext();
        cut.WaitForAssertion(() => Assert.Equal(2, check.WebhookDeliveries.Count(d => d.EventId == failed.EventId)));
        var copies = await check.WebhookDeliveries.Where(d => d.EventId == failed.EventId).OrderBy(d => d.Id).ToListAsync(Ct);
        Assert.Equal(2, copies.Count);
        Assert.Equal(WebhookDeliveryStatus.Pending, copies[1].Status);
        Assert.Equal(0, copies[1].Attempts);
        Assert.Equal(copies[0].Payload, copies[1].Payload);
        Assert.Equal(endpoint.Endpoint.Id, copies[1].EndpointId);
    }
}
