using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.Consent;
using CustomerAdmin.Features.Webhooks;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers;

/// <summary>The SMS consent a user set in the customer form: a deliberate opt-in or opt-out by staff.</summary>
public sealed record ConsentChoice(bool OptedIn);

/// <summary>
/// Creating and editing a customer from the customer form: validate, apply the rules, write in one transaction. Only
/// the fields the form edits are copied onto the stored row; statistics move with tickets and sales, and consent
/// moves with the customer's own replies, so a form opened before either must never write them back.
/// </summary>
public sealed class CustomerOperations(IDbContextFactory<AppDbContext> dbFactory, PhoneNormalizer phones, TimeProvider time,
    IOptions<ConsentOptions>? consentOptions = null)
{
    /// <summary>
    /// What the customer form edits, and therefore all an edit may change. Not the status: that changes with a reason,
    /// through <c>CustomerStatusOperations</c> (the customer page's "Change status").
    /// </summary>
    public static IReadOnlyList<string> FormFields { get; } =
    [
        nameof(Customer.Type), nameof(Customer.FirstName), nameof(Customer.LastName), nameof(Customer.Name),
        nameof(Customer.DisplayName), nameof(Customer.OrganizationId), nameof(Customer.Tier),
        nameof(Customer.PrimaryPhone), nameof(Customer.PrimaryPhoneSmsCapable), nameof(Customer.SecondaryPhone),
        nameof(Customer.WhatsAppPhone), nameof(Customer.Email), nameof(Customer.PreferredContactMethod),
        nameof(Customer.PreferredLanguage), nameof(Customer.AddressLine1), nameof(Customer.AddressLine2),
        nameof(Customer.City), nameof(Customer.State), nameof(Customer.PostalCode), nameof(Customer.Country),
        nameof(Customer.RegistrationNumber), nameof(Customer.TaxId), nameof(Customer.Website), nameof(Customer.Tags),
        nameof(Customer.Notes),
    ];

    /// <summary>
    /// The form's values normalised (E.164 phones, tidy text) with every field error: the annotations and the rules.
    /// The form shows the errors at their fields; the operations refuse to write while there are any.
    /// </summary>
    public (Customer Candidate, Dictionary<string, string> Errors) Check(Customer form)
    {
        var candidate = form.Copy();
        var errors = CustomerRules.Normalize(candidate, phones);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(candidate, new ValidationContext(candidate), results, validateAllProperties: true);
        foreach (var r in results)
            foreach (var member in r.MemberNames)
                errors.TryAdd(member, r.ErrorMessage ?? "Check this field.");
        return (candidate, errors);
    }

    public async Task<Customer> CreateAsync(Customer form, string? actor = null, CancellationToken ct = default)
    {
        var (candidate, errors) = Check(form);
        RuleViolationException.ThrowFirst(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var customer = new Customer();
        CopyFormFields(candidate, db.Entry(customer).CurrentValues);
        if (form.SmsOptedIn) ApplyConsent(db, customer, new ConsentChoice(true), time.GetUtcNow().UtcDateTime);
        db.Customers.Add(customer);
        await db.SaveChangesAsync(ct);
        // After the save: the event carries the new id.
        if (await WebhookOutbox.AddAsync(db, WebhookEvents.CustomerCreated, () => WebhookData.Customer(customer), ct) > 0) await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return customer;
    }

    /// <param name="expectedVersion">The version the form's user last saw; any other stored version is a conflict.</param>
    /// <param name="consent">Set only when the user changed the consent box in this form; null keeps the stored consent.</param>
    /// <exception cref="DbUpdateConcurrencyException">Someone saved the customer since <paramref name="expectedVersion"/>.</exception>
    public async Task<Customer> UpdateAsync(int customerId, int expectedVersion, Customer form, ConsentChoice? consent,
        string? actor = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Before the form's checks: the anonymous record's placeholder phone would otherwise be all the user is told about.
        if (await db.IsErasedAsync(customerId, ct))
            throw new RuleViolationException(PrivacyModel.ErasedEditRefusal);
        var (candidate, errors) = Check(form);
        RuleViolationException.ThrowFirst(errors);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var stored = await db.Customers.FirstOrDefaultAsync(c => c.Id == customerId, ct);
        if (stored is null || stored.Status == CustomerStatus.Deleted)
            throw new RuleViolationException("Someone deleted this customer while you were editing it, so your changes cannot be saved.");
        if (stored.Status == CustomerStatus.Merged)
            throw new RuleViolationException($"Someone merged this customer into customer {stored.MergedIntoId} while you were editing it, so your changes cannot be saved here. Open that customer and make them there.");
        var entry = db.Entry(stored);
        // The update's WHERE compares the token with the version the user edited, so a save that lands between this
        // read and the write is caught as well as one made before it.
        entry.Property(c => c.Version).OriginalValue = expectedVersion;
        CopyFormFields(candidate, entry.CurrentValues);
        if (consent is not null && consent.OptedIn != stored.SmsOptedIn)
            ApplyConsent(db, stored, consent, time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        // After the save: the event carries the new version.
        if (await WebhookOutbox.AddAsync(db, WebhookEvents.CustomerUpdated, () => WebhookData.Customer(stored), ct) > 0) await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return stored;
    }

    /// <summary>
    /// Soft-deletes the customer, unless work is still open for them or they are booked on an event to come
    /// (<see cref="CustomerDeletion.Refusal"/>): the refusal is a <see cref="RuleViolationException"/> naming them.
    /// </summary>
    /// <returns>The customer as now stored, or null when there is no such customer.</returns>
    public Task<Customer?> DeleteAsync(int customerId, string? actor = null, CancellationToken ct = default) =>
        SetStatusAsync(customerId, CustomerStatus.Deleted, actor, ct);

    /// <summary>Brings a deleted customer back; refused when another live customer now has their phone number.</summary>
    /// <returns>The customer as now stored, or null when there is no such customer.</returns>
    public Task<Customer?> RestoreAsync(int customerId, string? actor = null, CancellationToken ct = default) =>
        SetStatusAsync(customerId, CustomerStatus.Active, actor, ct);

    private async Task<Customer?> SetStatusAsync(int customerId, CustomerStatus status, string? actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var customer = await db.Customers.Include(c => c.Organization).FirstOrDefaultAsync(c => c.Id == customerId, ct);
        if (customer is null) return null;
        if (status == CustomerStatus.Deleted
            && CustomerDeletion.Refusal(customer.FullName, await db.OpenTicketNumbersAsync(customer.Id, ct),
                await db.FutureBookingsAsync(customer.Id, time.GetUtcNow().UtcDateTime, ct)) is { } refusal)
            throw new RuleViolationException(refusal);
        customer.Status = status;
        if (status == CustomerStatus.Deleted)
            await WebhookOutbox.AddAsync(db, WebhookEvents.CustomerDeleted, () => new { id = customer.Id }, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (CustomerRules.IsDuplicatePhone(ex))
        {
            throw new RuleViolationException(
                "It cannot be restored: another customer now has the same phone number. Change one of the two first.", nameof(Customer.PrimaryPhone));
        }
        // A restored customer is back as it was: an update for a receiver that saw the deletion.
        if (status != CustomerStatus.Deleted
            && await WebhookOutbox.AddAsync(db, WebhookEvents.CustomerUpdated, () => WebhookData.Customer(customer), ct) > 0)
            await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return customer;
    }

    private static void CopyFormFields(Customer from, Microsoft.EntityFrameworkCore.ChangeTracking.PropertyValues to)
    {
        foreach (var field in FormFields)
            to[field] = typeof(Customer).GetProperty(field)!.GetValue(from);
    }

    // The form's "agreed to receive SMS" box is the service messages' consent, with the wording the form shows.
    private void ApplyConsent(AppDbContext db, Customer customer, ConsentChoice consent, DateTime now) =>
        ConsentOperations.Apply(db, customer, ConsentOptions.SmsService, consent.OptedIn, ConsentOperations.StaffSource, now,
            (consentOptions?.Value ?? new ConsentOptions()).Find(ConsentOptions.SmsService)?.WordingVersion);
}
