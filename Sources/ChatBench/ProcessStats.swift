import Glibc

/// Resource figures of this process and of the server under test, from getrusage and /proc.
package enum ProcessStats {
    /// CPU seconds (user + system) this process has used.
    package static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// CPU seconds of this process's reaped children (child bench processes).
    package static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }

    /// The descriptor limit (soft, hard), after raising the soft limit to the hard one.
    package static func raiseDescriptorLimit() -> (soft: Int, hard: Int) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return (Int(clamping: limit.rlim_cur), Int(clamping: limit.rlim_max))
    }

    /// Descriptors this process has open now.
    package static func openDescriptors() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while readdir(dir) != nil { count += 1 }
        return max(0, count - 3)  // ".", ".." and the directory's own descriptor
    }

    /// Resident set size (VmRSS) and its peak (VmHWM) of `pid`, in KiB.
    package static func residentKiB(pid: Int32) -> (rss: Int, peak: Int)? {
        guard let status = readFile("/proc/\(pid)/status") else { return nil }
        var rss = 0
        var peak = 0
        for line in status.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { rss = Int(line.split(separator: " ")[1]) ?? 0 }
            if line.hasPrefix("VmHWM:") { peak = Int(line.split(separator: " ")[1]) ?? 0 }
        }
        return (rss, peak)
    }

    /// CPU seconds (user + system) `pid` has used, from /proc/<pid>/stat.
    package static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = readFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based over the whole line).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Load averages from /proc/loadavg.
    package static func loadAverage() -> String {
        readFile("/proc/loadavg").map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "?"
    }

    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var result = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: result, as: UTF8.self)
    }
}
