import Mustache
import PWSCore

/// A piece of finished, already escaped markup that the page template places with `{{{…}}}`.
///
/// Only `HTMLWriter` makes one, so a value placed unescaped has always gone through the writer's
/// escaping. Placed with `{{…}}` by mistake it would show its tags as text (the tests would see
/// `&lt;table`), never the other way round.
struct HTML: MustacheCustomRenderable {
    fileprivate(set) var markup: String

    var renderText: String { markup }
    var isNull: Bool { false }
}

/// Builds the report's repeated parts (tables, charts) as UTF-8 bytes.
///
/// Why not Mustache for these: swift-mustache resolves every `{{name}}` at render time by walking
/// the context stack with dynamic casts, about a microsecond per tag, and a district page has
/// millions of tags (≈0.5 MB/s). Here markup is appended as bytes.
///
/// Escaping: markup can only come in as a `StaticString` — a literal in this module's source —
/// through `raw`. Every `String` goes through `text`, which escapes `& < > " '` byte by byte
/// (also inside grapheme clusters such as `"` + U+0338, which a per-`Character` escaper misses),
/// so it is safe in element content and in quoted attribute values alike. Numbers are written
/// by the number methods.
struct HTMLWriter: ~Copyable {
    // A plain growing buffer: a district page is a few million small appends, and `[UInt8]`'s
    // checks per append cost more than the copying.
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The bytes written so far as a fragment for the page template.
    var html: HTML {
        HTML(markup: String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self))
    }

    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    private mutating func put(_ bytes: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        (base + count).initialize(from: bytes, count: n)
        count += n
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Markup: a literal of this module, written as is.
    /// - Complexity: O(length).
    @inline(__always)
    mutating func raw(_ s: StaticString) {
        if s.hasPointerRepresentation {
            put(s.utf8Start, s.utf8CodeUnitCount)
        } else {
            // A one-character literal is stored as its Unicode scalar.
            for b in String(s.unicodeScalar).utf8 { put(b) }
        }
    }

    /// Text, escaped for element content and quoted attribute values: `&` `<` `>` `"` `'`.
    /// - Complexity: O(length); one pass, unescaped runs copied whole.
    mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { appendEscaped($0) }
    }

    /// Text, escaped (see `text`).
    mutating func text(_ s: Substring) {
        var s = s
        s.withUTF8 { appendEscaped($0) }
    }

    private mutating func appendEscaped(_ buf: UnsafeBufferPointer<UInt8>) {
        guard let start = buf.baseAddress else { return }
        var from = 0
        var i = 0
        while i < buf.count {
            let replacement: StaticString
            var width = 1
            switch buf[i] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            // Control characters (from an input's ids or names) are not allowed in HTML text:
            // each is shown as U+FFFD, as a browser would show a NUL. Tab and line ends stay.
            case 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0x7F: replacement = "\u{FFFD}"
            // The C1 controls U+0080–U+009F, C2 80–C2 9F in UTF-8.
            case 0xC2 where i + 1 < buf.count && (0x80...0x9F).contains(buf[i + 1]):
                replacement = "\u{FFFD}"
                width = 2
            // The noncharacters, which HTML's parser refuses (a file name holding one failed the
            // page's parse): U+FFFE and U+FFFF (EF BF BE/BF), U+FDD0–U+FDEF (EF B7 90–AF), and the
            // last two of every other plane (F0–F4, x F, BF, BE/BF: U+1FFFE … U+10FFFF).
            case 0xEF where i + 2 < buf.count && ((buf[i + 1] == 0xBF && buf[i + 2] >= 0xBE)
                                                  || (buf[i + 1] == 0xB7 && (0x90...0xAF).contains(buf[i + 2]))):
                replacement = "\u{FFFD}"
                width = 3
            case 0xF0...0xF4 where i + 3 < buf.count && buf[i + 1] & 0x0F == 0x0F && buf[i + 2] == 0xBF && buf[i + 3] >= 0xBE:
                replacement = "\u{FFFD}"
                width = 4
            default:
                i += 1
                continue
            }
            put(start + from, i - from)
            raw(replacement)
            i += width
            from = i
        }
        put(start + from, buf.count - from)
    }

    /// An integer in plain digits (coordinates, attribute values): `-12`, `340`.
    mutating func int(_ n: Int) {
        reserve(20)
        count += NumberText.write(n, to: base + count)
    }

    /// A count the Indonesian way, with thousands dots (`12.345`); `–` when nil.
    mutating func count(_ n: Int?) {
        guard let n else { return raw("–") }
        reserve(28)
        if n < 0 { put(UInt8(ascii: "-")) }
        var v = n.magnitude
        var digits = 1
        var rest = v
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let length = digits + (digits - 1) / 3
        var p = count + length - 1
        var written = 0
        repeat {
            if written > 0, written % 3 == 0 {
                base[p] = UInt8(ascii: ".")
                p -= 1
            }
            base[p] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            p -= 1
            written += 1
        } while v > 0
        count += length
    }

    /// A sasaran the Indonesian way (spec §A1): thousands dots, at most 2 decimals after a
    /// decimal comma, trailing zeros dropped (`1.018,5`, `96`); `–` when nil.
    mutating func sasaran(_ d: ExactDecimal?) {
        guard let d else { return raw("–") }
        if let n = d.integerValue { return count(n) }
        let r = d.rounded(places: 2)
        if let n = r.integerValue { return count(n) }
        // A whole number beyond Int (an estimate from a huge share): its digits, no grouping.
        guard r.scale > 0 else { return text(r.description) }
        let whole = ExactDecimal(units: r.units / ExactDecimal.power(r.scale), scale: 0)!
        if r.units < 0, whole.isZero { put(UInt8(ascii: "-")) }
        if let n = whole.integerValue { count(n) } else { text(whole.description) }
        put(UInt8(ascii: ","))
        let fraction = String(r.units.magnitude % UInt128(ExactDecimal.power(r.scale)))
        text(String(repeating: "0", count: r.scale - fraction.count) + fraction)
    }

    /// A percentage with two decimals and the decimal comma (`57,14`, `-3,50`); `–` when nil.
    mutating func pct(_ p: Percent?) {
        guard let p else { return raw("–") }
        reserve(24)
        count += NumberText.write(p, decimalMark: UInt8(ascii: ","), to: base + count)
    }

    /// A gap in percentage points with its sign: `+3,50`, `-12,00`, `0,00`; `–` when nil.
    mutating func gap(_ p: Percent?) {
        if let p, p.hundredths > 0 { put(UInt8(ascii: "+")) }
        pct(p)
    }

    /// A chart label: one decimal with the decimal comma (`57,1`), as `ReportCharts.oneDecimal`.
    mutating func oneDecimal(_ v: Double) {
        let tenths = Int((abs(v) * 10).rounded())
        if v < 0 { put(UInt8(ascii: "-")) }
        int(tenths / 10)
        put(UInt8(ascii: ","))
        put(UInt8(ascii: "0") + UInt8(tenths % 10))
    }
}
