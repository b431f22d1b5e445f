import Foundation

/// The CPUs this process may run on, from `/proc/self/status` (`Cpus_allowed_list`).
///
/// swift-nio sizes its event-loop group from the machine's cores. A server pinned to fewer
/// (`taskset -c 0`, a container's cpuset) would otherwise run two or more event-loop threads on
/// one core, and every fan-out would pay for them taking turns.
public enum CPUAffinity {
    /// How many CPUs the process may use, or nil when the kernel does not say.
    public static func allowedCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return count(list: line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces))
    }

    /// The number of CPUs in a list such as `0-3,6,8-9`; nil when it does not parse.
    public static func count(list: String) -> Int? {
        var total = 0
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                total += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], high >= low else { return nil }
                total += high - low + 1
            default:
                return nil
            }
        }
        return total > 0 ? total : nil
    }
}
