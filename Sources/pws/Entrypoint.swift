import PWSCommands

/// The `pws` executable: everything lives in PWSCommands so it can be tested.
@main
struct Entrypoint {
    static func main() async {
        await PWS.main()
    }
}
