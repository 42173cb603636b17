using System.Globalization;
using System.Text;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>
/// The mapping suggested from a file's header: each field takes the first column whose name, lower-cased without
/// accents, spaces and punctuation, is one of the field's usual names ("Mobile", "Cell", "Tel", "E-mail", "Surname",
/// "Company", "Zip"…). A column is suggested for one field at most, and a full-name column only when the file has no
/// separate first and last names. The user can change every choice.
/// </summary>
public static class ColumnSuggestions
{
    private static readonly (CustomerImportField Field, string[] Names)[] Known =
    [
        (CustomerImportField.ExternalReference, ["id", "customerid", "clientid", "externalid", "reference", "ref", "customerno", "customernumber", "clientnumber", "accountnumber", "account", "legacyid", "contactid", "recordid"]),
        (CustomerImportField.Type, ["type", "customertype", "clienttype", "kind", "category type"]),
        (CustomerImportField.FirstName, ["firstname", "first", "givenname", "forename", "forenames", "prenom", "vorname", "nombre"]),
        (CustomerImportField.LastName, ["lastname", "last", "surname", "familyname", "nom", "nachname", "apellido", "apellidos"]),
        (CustomerImportField.FullName, ["name", "fullname", "customername", "clientname", "contactname", "customer", "client", "contact", "displayname"]),
        (CustomerImportField.OrganizationName, ["company", "companyname", "organization", "organisation", "organizationname", "organisationname", "business", "businessname", "employer", "firm", "account name", "accountname"]),
        (CustomerImportField.PrimaryPhone, ["mobile", "mobilephone", "mobilenumber", "cell", "cellphone", "cellular", "phone", "phonenumber", "telephone", "tel", "primaryphone", "handy", "movil", "portable", "sms"]),
        (CustomerImportField.SecondaryPhone, ["homephone", "workphone", "businessphone", "officephone", "landline", "phone2", "otherphone", "secondaryphone", "alternatephone", "telephone2", "tel2", "phone", "telephone", "tel"]),
        (CustomerImportField.WhatsAppPhone, ["whatsapp", "whatsappnumber", "whatsappphone", "wa"]),
        (CustomerImportField.Email, ["email", "emailaddress", "mail", "e-mail", "emailaddress1", "primaryemail", "courriel", "correo"]),
        (CustomerImportField.AddressLine1, ["address", "address1", "addressline1", "street", "streetaddress", "addr", "address line 1", "mailingstreet", "billingstreet"]),
        (CustomerImportField.AddressLine2, ["address2", "addressline2", "apartment", "suite", "unit", "apt"]),
        (CustomerImportField.City, ["city", "town", "locality", "ville", "stadt", "ciudad", "mailingcity", "billingcity"]),
        (CustomerImportField.State, ["state", "province", "region", "county", "stateprovince", "mailingstate", "billingstate"]),
        (CustomerImportField.PostalCode, ["zip", "zipcode", "postcode", "postalcode", "postal", "plz", "cp", "mailingpostalcode", "billingpostalcode"]),
        (CustomerImportField.Country, ["country", "countrycode", "nation", "pays", "land", "mailingcountry", "billingcountry"]),
        (CustomerImportField.Notes, ["notes", "note", "comments", "comment", "remarks", "description"]),
        (CustomerImportField.Tags, ["tags", "tag", "labels", "label", "groups", "categories", "category", "segment"]),
        (CustomerImportField.CustomerSince, ["customersince", "createdat", "created", "createdon", "datecreated", "since", "firstseen", "firstvisit", "joined", "signupdate", "registered", "registrationdate"]),
        (CustomerImportField.PreferredLanguage, ["language", "preferredlanguage", "lang", "locale"]),
        (CustomerImportField.Website, ["website", "web", "url", "homepage", "site"]),
        (CustomerImportField.TaxId, ["taxid", "vat", "vatnumber", "ein", "tin", "taxnumber"]),
        (CustomerImportField.RegistrationNumber, ["registrationnumber", "companynumber", "regno", "registration"]),
    ];

    public static Dictionary<CustomerImportField, int> Suggest(IReadOnlyList<string> headers)
    {
        var keys = headers.Select(Key).ToList();
        var mapping = new Dictionary<CustomerImportField, int>();
        var used = new HashSet<int>();
        foreach (var (field, names) in Known)
        {
            // Names in order of preference: with "Mobile" and "Phone" both present, the mobile is the primary phone.
            var column = names.Select(Key).Select(name => keys.FindIndex(k => k == name)).FirstOrDefault(i => i >= 0 && !used.Contains(i), -1);
            if (column < 0) continue;
            mapping[field] = column;
            used.Add(column);
        }
        // "Name" beside "First name" and "Last name" is not a person's full name (often the organisation's).
        if (mapping.ContainsKey(CustomerImportField.FirstName) && mapping.ContainsKey(CustomerImportField.LastName))
            mapping.Remove(CustomerImportField.FullName);
        return mapping;
    }

    /// <summary>"E-Mail Address" → "emailaddress": lower case, no accents, letters and digits only.</summary>
    public static string Key(string header)
    {
        var text = header.Normalize(NormalizationForm.FormD);
        var key = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsLetterOrDigit(c)) key.Append(char.ToLowerInvariant(c));
        }
        return key.ToString();
    }
}
