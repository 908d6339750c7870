import Foundation
import PWSCore

/// DHIS2's period types pws exports (§A6).
public enum DHIS2PeriodType: String, Sendable {
    case monthly = "Monthly", quarterly = "Quarterly"

    /// The period of month `m` (1–12) of `year`: `202503` or `2025Q1`.
    public func period(year: Int, month m: Int) -> String {
        switch self {
        case .monthly: String(format: "%04d%02d", year, m)
        case .quarterly: String(format: "%04dQ%d", year, (m - 1) / 3 + 1)
        }
    }

    /// The ADX (ISO 8601 interval) form of a period: `2025-03-01/P1M`, `2025-01-01/P3M`.
    public func adxPeriod(year: Int, month m: Int) -> String {
        switch self {
        case .monthly: String(format: "%04d-%02d-01/P1M", year, m)
        case .quarterly: String(format: "%04d-%02d-01/P3M", year, ((m - 1) / 3) * 3 + 1)
        }
    }
}

/// Which figure of an indicator a data element receives.
public enum DHIS2Part: String, Sendable, CaseIterable, Hashable {
    case numerator, denominator
}

/// A data element and, optionally, its category option combo (DHIS2 uses the default one when absent).
public struct DHIS2Target: Sendable, Hashable {
    public var dataElement: String
    public var categoryOptionCombo: String?
    public init(dataElement: String, categoryOptionCombo: String?) {
        self.dataElement = dataElement
        self.categoryOptionCombo = categoryOptionCombo
    }
}

/// DHIS2 uids: 11 characters, a letter then letters or digits (DHIS2's `CodeGenerator`).
public enum DHIS2UID {
    public static func isValid(_ text: String) -> Bool {
        let b = Array(text.utf8)
        func letter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        func digit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        return b.count == 11 && letter(b[0]) && b.dropFirst().allSatisfy { letter($0) || digit($0) }
    }
}

/// One value to import: a numerator or denominator of one indicator, area and period.
public struct DHIS2DataValue: Sendable, Hashable {
    public var dataElement: String
    /// DHIS2 form (`202503`, `2025Q1`).
    public var period: String
    /// ADX form (`2025-03-01/P1M`).
    public var adxPeriod: String
    public var orgUnit: String
    public var categoryOptionCombo: String?
    public var attributeOptionCombo: String?
    /// A whole number or a decimal with `.` (denominators may carry decimals, §A1).
    public var value: String
    public var storedBy: String?
    /// Where the value came from, for people reading the import summary (`K1 numerator, area 3201010`).
    public var comment: String

    public init(dataElement: String, period: String, adxPeriod: String, orgUnit: String, categoryOptionCombo: String?,
                attributeOptionCombo: String?, value: String, storedBy: String?, comment: String) {
        self.dataElement = dataElement
        self.period = period
        self.adxPeriod = adxPeriod
        self.orgUnit = orgUnit
        self.categoryOptionCombo = categoryOptionCombo
        self.attributeOptionCombo = attributeOptionCombo
        self.value = value
        self.storedBy = storedBy
        self.comment = comment
    }
}
