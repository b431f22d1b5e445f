import ChatServer
import Testing

@Suite("CPUAffinity")
struct CPUAffinityTests {
    @Test("CPU lists count every CPU in them", arguments: [("0", 1), ("0-1", 2), ("0-3,6,8-9", 7), ("5", 1)])
    func counts(list: String, expected: Int) {
        #expect(CPUAffinity.count(list: list) == expected)
    }

    @Test("lists that do not parse count as unknown", arguments: ["", "a", "3-1", "1-2-3", "0,,x"])
    func refusals(list: String) {
        #expect(CPUAffinity.count(list: list) == nil)
    }

    @Test("this process may use at least one CPU, and no more than the machine has")
    func thisProcess() throws {
        let allowed = try #require(CPUAffinity.allowedCount())
        #expect(allowed >= 1)
        #expect(allowed <= 4096)
    }
}
