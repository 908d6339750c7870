import PWSCore

extension LMSTable {
    /// Reads a table from the bytes of its file (the format of `pipelines/growth/who2006/`):
    /// a header line (`GrowthTableName.header`), then one line per row, `sex,key,l,m,s`, boys
    /// (`1`) then girls (`2`), each sex with every key of `name.axis` in order; numbers with a
    /// `.` decimal mark, no quoting. `\r\n` line ends are accepted.
    ///
    /// Anything else is an error naming `source` and the line: the engine indexes rows by
    /// position, so a missing, repeated or out-of-order row would silently shift every z-score.
    /// L may be any finite number (0 included); M and S must be positive.
    public static func parse(_ bytes: [UInt8], name: GrowthTableName, source: String) throws(PWSError) -> LMSTable {
        let (first, last, inTenths): (Int, Int, Bool) = switch name.axis {
        case .day(let f, let l): (f, l, false)
        case .lengthTenths(let f, let l): (f, l, true)
        }
        let rowsPerSex = last - first + 1
        var values = ContiguousArray<Double>()
        values.reserveCapacity(2 * rowsPerSex * 3)
        let fix = "restore \(name.fileName) from the repository (scripts/who2006-tables.py regenerates it)"

        var lineNumber = 0
        var expectedSex = 1
        var expectedKey = first
        var start = 0
        var fields: [Range<Int>] = []
        fields.reserveCapacity(6)
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            lineNumber += 1
            var contentEnd = end
            if contentEnd > start, bytes[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            let line = start..<contentEnd
            start = end + 1
            let location = SourceLocation(source: source, line: lineNumber)
            func failure(_ message: String) -> PWSError {
                PWSError(.pipelineDefinition, "\(message); \(fix)", location: location)
            }
            let text = { String(decoding: bytes[line], as: UTF8.self) }

            if lineNumber == 1 {
                guard text() == name.header else {
                    throw failure("growth table header is \"\(text())\", expected \"\(name.header)\"")
                }
                continue
            }
            guard !line.isEmpty else { throw failure("empty line in a growth table") }
            guard expectedSex <= 2 else {
                throw failure("growth table has a row after the last girls' row \(keyText(last, inTenths))")
            }
            fields.removeAll(keepingCapacity: true)
            var fieldStart = line.lowerBound
            for i in line where bytes[i] == UInt8(ascii: ",") {
                fields.append(fieldStart..<i)
                fieldStart = i + 1
            }
            fields.append(fieldStart..<line.upperBound)
            guard fields.count == 5 else {
                throw failure("growth table row has \(fields.count) fields, expected 5 (sex,key,l,m,s): \"\(text())\"")
            }
            let numbers = fields.map { range in
                bytes[range].withUnsafeBytes { NumberField.double($0) }
            }
            let fieldNames = ["sex", inTenths ? "length_cm" : "day", "l", "m", "s"]
            for (i, number) in numbers.enumerated() where number == nil {
                throw failure("growth table field \(fieldNames[i]) \"\(String(decoding: bytes[fields[i]], as: UTF8.self))\" is not a number")
            }
            let sex = numbers[0] ?? 0, key = numbers[1] ?? 0
            let l = numbers[2] ?? 0, m = numbers[3] ?? 0, s = numbers[4] ?? 0
            guard sex == Double(expectedSex) else {
                throw failure("growth table row has sex \(String(decoding: bytes[fields[0]], as: UTF8.self)), expected \(expectedSex) "
                              + "(boys' rows \(keyText(first, inTenths))–\(keyText(last, inTenths)) first, then girls')")
            }
            let scaled = inTenths ? key * 10 : key
            guard abs(scaled - Double(expectedKey)) < 1e-6 else {
                throw failure("growth table row has \(fieldNames[1]) \(String(decoding: bytes[fields[1]], as: UTF8.self)), "
                              + "expected \(keyText(expectedKey, inTenths)) (every row in order, none missing)")
            }
            guard l.isFinite else { throw failure("growth table L is not finite") }
            guard m > 0, s > 0 else { throw failure("growth table M and S must be positive, found M \(m), S \(s)") }
            values.append(l)
            values.append(m)
            values.append(s)
            if expectedKey == last {
                expectedSex += 1
                expectedKey = first
            } else {
                expectedKey += 1
            }
        }
        guard lineNumber > 0 else {
            throw PWSError(.pipelineDefinition, "growth table is empty; \(fix)",
                           location: SourceLocation(source: source, line: 1))
        }
        guard expectedSex == 3 else {
            let who = expectedSex == 1 ? "boys" : "girls"
            throw PWSError(.pipelineDefinition,
                           "growth table ends before the \(who)' row \(keyText(expectedKey, inTenths)); \(fix)",
                           location: SourceLocation(source: source, line: lineNumber))
        }
        return LMSTable(name: name, values: values)
    }

    private static func keyText(_ key: Int, _ inTenths: Bool) -> String {
        inTenths ? "\(key / 10).\(key % 10) cm" : "day \(key)"
    }
}

extension GrowthStandards {
    /// The standards from the bytes of the six files, e.g. embedded in the binary.
    /// `read` returns a table's bytes and the name to give in errors.
    public static func parse(
        _ read: (GrowthTableName) throws(PWSError) -> (bytes: [UInt8], source: String)
    ) throws(PWSError) -> GrowthStandards {
        var tables: [LMSTable] = []
        for name in GrowthTableName.allCases {
            let (bytes, source) = try read(name)
            tables.append(try LMSTable.parse(bytes, name: name, source: source))
        }
        return try GrowthStandards(tables: tables)
    }
}
