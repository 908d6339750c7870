#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The three parameters of WHO's LMS (Box-Cox) method at one age or length: the power `l`, the
/// median `m` and the coefficient of variation `s`.
public struct LMS: Sendable, Equatable {
    public var l: Double
    public var m: Double
    public var s: Double

    public init(l: Double, m: Double, s: Double) {
        self.l = l
        self.m = m
        self.s = s
    }

    /// The plain LMS z-score of the measurement `y` (> 0): `((y/M)^L − 1)/(L·S)`, or `ln(y/M)/S`
    /// when L = 0. No restricted tail.
    @inlinable
    public func z(_ y: Double) -> Double {
        if l == 0 { return log(y / m) / s }
        return (pow(y / m, l) - 1) / (l * s)
    }

    /// The measurement at z-score `z` (WHO's SDk columns are `measurement(atZ: k)`):
    /// `M·(1 + L·S·z)^(1/L)`, or `M·exp(S·z)` when L = 0.
    @inlinable
    public func measurement(atZ z: Double) -> Double {
        if l == 0 { return m * exp(s * z) }
        return m * pow(1 + l * s * z, 1 / l)
    }

    /// The z-score with WHO's restricted tail: within ±3 the LMS z; above 3,
    /// `3 + (y − SD3)/(SD3 − SD2)`; below −3, `−3 + (y − SD3neg)/(SD2neg − SD3neg)`. Beyond ±3
    /// the distance is measured in the width of the last SD band, so that the skewed tail does
    /// not compress extreme values (WHO, Methods and development, 2006, ch. 7).
    @inlinable
    public func restrictedZ(_ y: Double) -> Double {
        let z = z(y)
        if z > 3 {
            let sd3 = measurement(atZ: 3)
            let sd2 = measurement(atZ: 2)
            return 3 + (y - sd3) / (sd3 - sd2)
        }
        if z < -3 {
            let sd3neg = measurement(atZ: -3)
            let sd2neg = measurement(atZ: -2)
            return -3 + (y - sd3neg) / (sd2neg - sd3neg)
        }
        return z
    }
}
