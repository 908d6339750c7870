import PWSCore

/// One area of one level (spec §2.5).
struct Area {
    var level: AreaLevel
    var code: String
    var name: String
    var parentCode: String
    /// Whether the register lists it (unregistered RT/RW are seen in records only).
    var registered: Bool
    /// Registered children (for denominator sums): indices into the same `AreaTable.areas`.
    var children: [Int] = []
    /// RTs in the area (leaf indices into `AreaRegister.rts`), for population estimates.
    var rts: [Int] = []
}

/// Every area of every level, with the path of each RT up the two hierarchies.
struct AreaTable {
    var areas: [Area] = []
    /// For each RT of the register: the area indices it counts in (rt, rw, desa, kecamatan,
    /// kabkota, puskesmas). An unregistered RT not seen in Y is not listed, but it still counts in
    /// its listed ancestors: a December attainment there is in the previous month of January
    /// that a run for Y−1 (which lists the RT) gives its village.
    var paths: [[Int]] = []
    /// desa code → puskesmas code.
    var villagePuskesmas: [String: String] = [:]
    var puskesmasNames: [String: String] = [:]

    /// Builds the table: register areas plus unregistered RT/RW seen in `seenRTs`.
    init(register: AreaRegister, seenRTs: [Bool]) {
        var index: [String: Int] = [:]  // "level|code"
        func area(_ level: AreaLevel, _ code: String, _ name: String, _ parent: String, registered: Bool) -> Int {
            let key = "\(level.rawValue)|\(code)"
            if let i = index[key] {
                if registered && !areas[i].registered { areas[i].registered = true }
                return i
            }
            let i = areas.count
            areas.append(Area(level: level, code: code, name: name, parentCode: parent, registered: registered))
            index[key] = i
            return i
        }
        func link(_ parent: Int, _ child: Int) {
            if areas[child].registered && !areas[parent].children.contains(child) {
                areas[parent].children.append(child)
            }
        }
        paths = Array(repeating: [], count: register.rts.count)
        for (r, rt) in register.rts.enumerated() {
            guard rt.registered || seenRTs[r] else { continue }
            let v = register.villages[Int(rt.village)]
            let kab = area(.kabkota, v.regencyCode, v.regencyName, "", registered: true)
            let kec = area(.kecamatan, v.districtCode, v.districtName, v.regencyCode, registered: true)
            let pkm = area(.puskesmas, v.puskesmasCode, v.puskesmasName, v.regencyCode, registered: true)
            let desa = area(.desa, v.code, v.name, v.districtCode, registered: true)
            let rwCode = "\(v.code)-\(rt.rw)"
            let rw = area(.rw, rwCode, "RW \(rt.rw)", v.code, registered: rt.registered)
            let leaf = area(.rt, "\(rwCode)-\(rt.rt)", "RT \(rt.rt)", rwCode, registered: rt.registered)
            link(kab, kec)
            link(kec, desa)
            link(pkm, desa)
            link(desa, rw)
            link(rw, leaf)
            for a in [kab, kec, pkm, desa, rw, leaf] where rt.registered { areas[a].rts.append(r) }
            paths[r] = [leaf, rw, desa, kec, kab, pkm]
            villagePuskesmas[v.code] = v.puskesmasCode
            if puskesmasNames[v.puskesmasCode] == nil { puskesmasNames[v.puskesmasCode] = v.puskesmasName }
        }
        for (r, rt) in register.rts.enumerated() where paths[r].isEmpty {
            let v = register.villages[Int(rt.village)]
            let keys = ["rw|\(v.code)-\(rt.rw)", "desa|\(v.code)", "kecamatan|\(v.districtCode)",
                        "kabkota|\(v.regencyCode)", "puskesmas|\(v.puskesmasCode)"]
            paths[r] = keys.compactMap { index[$0] }
        }
    }

    /// Area indices in output order: level, then code in byte order.
    var outputOrder: [Int] {
        areas.indices.sorted { a, b in
            let x = areas[a], y = areas[b]
            if x.level != y.level { return x.level < y.level }
            return x.code.utf8.lexicographicallyPrecedes(y.code.utf8)
        }
    }
}
