namespace CustomerAdmin.Data;

/// <summary>
/// What a <see cref="CustomerSearchToken"/> holds. <see cref="NamePair"/> is two name words in one key, the first cut
/// to one and to two letters ("j smith", "jo smith"), so a two-word term is a single range scan however common each
/// word is on its own.
/// </summary>
public enum SearchTokenKind : byte { Name = 1, Phone = 2, Email = 3, Tag = 4, NamePair = 5 }
