import Foundation

// `sfu-fuzz TARGET [libFuzzer options] [corpus dirs]`, built by scripts/fuzz.sh with
// -sanitize=fuzzer,address (and -DFUZZING). Built plainly (as `make test` does), the same
// binary replays files instead: `sfu-fuzz TARGET FILE...`, so the seed corpus and every crash
// found so far stay regression tests.

func usage() -> Never {
    let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: sfu-fuzz TARGET [FILE|DIR ...]; targets: \(names)\n".utf8))
    exit(2)
}

#if FUZZING
typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: FuzzCallback) -> CInt

nonisolated(unsafe) var selected: FuzzTarget?

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTarget.named(arguments[1]) else { usage() }
selected = target
// libFuzzer sees the program name and what follows the target's name.
var argc = CInt(arguments.count - 1)
var storage = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = storage.withUnsafeMutableBufferPointer { $0.baseAddress }
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    selected!.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
})
#else
let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTarget.named(arguments[1]) else { usage() }
var files: [String] = []
for path in arguments.dropFirst(2) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
    if isDirectory.boolValue {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        files += entries.sorted().map { "\(path)/\($0)" }
    } else {
        files.append(path)
    }
}
for file in files {
    guard let data = FileManager.default.contents(atPath: file) else { continue }
    data.withUnsafeBytes { target.run($0) }
}
print("sfu-fuzz \(target.name): \(files.count) input(s) replayed, no crash")
#endif
