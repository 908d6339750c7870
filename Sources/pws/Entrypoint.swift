import CPrefetch
import PWSCommands

/// The `pws` executable: everything lives in PWSCommands so it can be tested.
@main
struct Entrypoint {
    static func main() async {
        _ = pws_settle_malloc()  // see CPrefetch.h
        await PWS.mainRefusingRepeats()
    }
}
