@testable import Pipeline
import Testing

/// The reduce's W-DUPLICATE table (`ShardedRun.DuplicateTable`): each key's first value, kept
/// through growth; a key that differs in any one field is another key.
struct DuplicateTableTests {
    typealias Key = ShardedRun.CompactDuplicateKey

    static func key(_ n: Int) -> Key {
        Key(person: UInt32(n % 977), facility: UInt32(n % 13), visit: Int32(20_000 + n / 977), service: UInt16(n % 7),
            result: UInt32(n % 3), result2: 0x7FC0_0000, raw: 0)
    }

    @Test func firstValueOfEachKeyIsKeptThroughGrowth() {
        var table = ShardedRun.DuplicateTable()
        // 5 000 keys: the table starts at 1 024 slots and doubles three times on the way.
        for n in 0..<5_000 {
            let (found, slot) = table.find(Self.key(n))
            #expect(found == nil, "key \(n) is new")
            table.insert(Self.key(n), UInt32(n * 2), at: slot)
        }
        #expect(table.count == 5_000)
        var wrong = 0
        for n in 0..<5_000 where table.find(Self.key(n)).value != UInt32(n * 2) { wrong += 1 }
        #expect(wrong == 0)
        // Met again: the first value, nothing added.
        #expect(table.find(Self.key(4_321)).value == 8_642)
        #expect(table.count == 5_000)
    }

    @Test func aKeyDifferingInOneFieldIsAnotherKey() {
        var table = ShardedRun.DuplicateTable()
        let base = Key(person: 1, facility: 2, visit: 20_100, service: 3, result: 4, result2: 5, raw: 6)
        table.insert(base, 7, at: table.find(base).slot)
        var variants = [base, base, base, base, base, base, base]
        variants[0].person = 9
        variants[1].facility = 9
        variants[2].visit = 20_101
        variants[3].service = 9
        variants[4].result = 9
        variants[5].result2 = 9
        variants[6].raw = -6
        for v in variants { #expect(table.find(v).value == nil) }
        #expect(table.find(base).value == 7)
    }
}
