import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import CSV
import PWSCore

/// The three import layouts of DHIS2's `POST /api/dataValueSets` (docs/dhis2.md).
public enum DHIS2Format: String, Sendable, CaseIterable {
    case json, csv, adx

    /// The `Content-Type` DHIS2 expects for this layout.
    public var contentType: String {
        switch self {
        case .json: "application/json"
        case .csv: "application/csv"
        case .adx: "application/adx+xml"
        }
    }
}

/// Writes data values as a DHIS2 import file: dataValueSets JSON (Foundation's `JSONEncoder`),
/// the DHIS2 CSV layout (libcsv, through Ingest's `CSVWriter`) or ADX XML (Foundation's
/// `XMLDocument`, libxml2 underneath).
public enum DHIS2Writer {
    /// The header of DHIS2's CSV data value layout, in its column order.
    public static let csvHeader = ["dataelement", "period", "orgunit", "catoptcombo", "attroptcombo", "value",
                                   "storedby", "lastupdated", "comment", "followup"]

    /// The file's bytes. `dataSet` goes into the JSON and every ADX group (DHIS2's ADX import needs
    /// it); `exported` is ADX's export time (`xs:dateTime`).
    public static func encode(_ values: [DHIS2DataValue], format: DHIS2Format, dataSet: String?,
                              exported: String) throws -> Data {
        switch format {
        case .json: try json(values, dataSet: dataSet)
        case .csv: try csv(values)
        case .adx: try adx(values, dataSet: dataSet, exported: exported)
        }
    }

    // MARK: JSON

    private struct JSONValue: Encodable {
        var dataElement: String
        var period: String
        var orgUnit: String
        var categoryOptionCombo: String?
        var attributeOptionCombo: String?
        var value: String
        var storedBy: String?
        var comment: String
    }

    private struct JSONSet: Encodable {
        var dataSet: String?
        var dataValues: [JSONValue]
    }

    static func json(_ values: [DHIS2DataValue], dataSet: String?) throws -> Data {
        let set = JSONSet(dataSet: dataSet, dataValues: values.map {
            JSONValue(dataElement: $0.dataElement, period: $0.period, orgUnit: $0.orgUnit,
                      categoryOptionCombo: $0.categoryOptionCombo, attributeOptionCombo: $0.attributeOptionCombo,
                      value: $0.value, storedBy: $0.storedBy, comment: $0.comment)
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(set) + Data("\n".utf8)
    }

    // MARK: CSV

    static func csv(_ values: [DHIS2DataValue]) throws -> Data {
        let writer = CSVWriter(options: .standard)
        try writer.writeRow(csvHeader)
        for v in values {
            try writer.writeRow([v.dataElement, v.period, v.orgUnit, v.categoryOptionCombo ?? "",
                                 v.attributeOptionCombo ?? "", v.value, v.storedBy ?? "", "", v.comment, "false"])
        }
        return Data(writer.take())
    }

    // MARK: ADX

    /// ADX (IHE QRPH, namespace `urn:ihe:qrph:adx:2015`): one `group` per org unit and period
    /// (in the values' order of first appearance), each value a `dataValue`; the category option
    /// combo and attribute option combo as DHIS2's `categoryOptionCombo` / `attributeOptionCombo`
    /// attributes.
    static func adx(_ values: [DHIS2DataValue], dataSet: String?, exported: String) throws -> Data {
        let root = XMLElement(name: "adx")
        root.addNamespace(XMLNode.namespace(withName: "", stringValue: "urn:ihe:qrph:adx:2015") as! XMLNode)
        root.addAttribute(XMLNode.attribute(withName: "exported", stringValue: exported) as! XMLNode)
        var groups: [String: XMLElement] = [:]
        var order: [String] = []
        for v in values {
            let key = v.orgUnit + "\u{0}" + v.adxPeriod + "\u{0}" + (v.attributeOptionCombo ?? "")
            let group: XMLElement
            if let g = groups[key] {
                group = g
            } else {
                group = XMLElement(name: "group")
                if let dataSet { group.addAttribute(XMLNode.attribute(withName: "dataSet", stringValue: dataSet) as! XMLNode) }
                group.addAttribute(XMLNode.attribute(withName: "orgUnit", stringValue: v.orgUnit) as! XMLNode)
                group.addAttribute(XMLNode.attribute(withName: "period", stringValue: v.adxPeriod) as! XMLNode)
                if let a = v.attributeOptionCombo {
                    group.addAttribute(XMLNode.attribute(withName: "attributeOptionCombo", stringValue: a) as! XMLNode)
                }
                groups[key] = group
                order.append(key)
            }
            let value = XMLElement(name: "dataValue")
            value.addAttribute(XMLNode.attribute(withName: "dataElement", stringValue: v.dataElement) as! XMLNode)
            if let c = v.categoryOptionCombo {
                value.addAttribute(XMLNode.attribute(withName: "categoryOptionCombo", stringValue: c) as! XMLNode)
            }
            value.addAttribute(XMLNode.attribute(withName: "value", stringValue: v.value) as! XMLNode)
            group.addChild(value)
        }
        for key in order { root.addChild(groups[key]!) }
        let document = XMLDocument(rootElement: root)
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document.xmlData(options: [.nodePrettyPrint]) + Data("\n".utf8)
    }
}
