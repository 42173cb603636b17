namespace CustomerAdmin.Data;

/// <summary>
/// One blocking key of an active customer (a phonetic name key, a phone suffix, an email local part…), stored as a
/// 64-bit hash of the key's text: the check after a create, edit or import finds a customer's candidates among the
/// customers sharing one of its keys. Kept by the duplicate check on every save and rebuilt by the full scan.
/// </summary>
public class CustomerMatchKey
{
    public long KeyHash { get; set; }
    public int CustomerId { get; set; }
}
