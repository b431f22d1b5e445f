/// Validation of room and user names.
///
/// Names become AMQP routing-key words (`room.<name>.msg`), so they are limited to
/// `[A-Za-z0-9_-]`: no dots, no wildcards, nothing that needs escaping anywhere.
public enum ChatName {
    /// The rule as clients read it in an `error` frame, e.g. "room must be 1 to 32 characters …".
    public static func rule(for what: String, limits: ChatLimits) -> String {
        "\(what) must be 1 to \(limits.maxNameLength) characters of A-Z, a-z, 0-9, _ and -"
    }

    /// Whether `name` is a valid room or user name under `limits`.
    public static func isValid(_ name: String, limits: ChatLimits) -> Bool {
        let utf8 = name.utf8
        guard !utf8.isEmpty, utf8.count <= limits.maxNameLength else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}
