import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program run with input on stdin, its stdout and stderr collected, and a
/// hard deadline: at the deadline the program's whole process group gets
/// SIGTERM, then SIGKILL a second later, so a hook script that started a
/// hanging `curl` cannot hold a delivery (or the daemon's shutdown) hostage.
///
/// posix_spawn rather than Foundation's `Process`: it gives the child its own
/// process group and default SIGPIPE handling (the daemon ignores SIGPIPE,
/// and ignored signals are inherited), and it needs no extra threads.
struct ChildProcess {
    struct Outcome {
        /// Exit status, or nil when killed by a signal or at the deadline.
        var status: Int32?
        var signal: Int32?
        var timedOut: Bool
        /// The first `keep` bytes of stdout and stderr together.
        var output: Data
    }

    static func run(program: String, arguments: [String], environment: [String: String], input: Data,
                    timeout: Double, keep: Int = 512) throws -> Outcome {
        var stdinPipe: [Int32] = [0, 0], outputPipe: [Int32] = [0, 0]
        guard pipe(&stdinPipe) == 0 else { throw HookError.spawn(program, errno) }
        guard pipe(&outputPipe) == 0 else {
            close(stdinPipe[0]); close(stdinPipe[1])
            throw HookError.spawn(program, errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 2)
        for fd in stdinPipe + outputPipe { posix_spawn_file_actions_addclose(&actions, fd) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        close(stdinPipe[0])
        close(outputPipe[1])
        guard spawned == 0 else {
            close(stdinPipe[1]); close(outputPipe[0])
            throw HookError.spawn(program, spawned)
        }
        return supervise(pid: pid, stdin: stdinPipe[1], output: outputPipe[0], input: input, timeout: timeout, keep: keep)
    }

    private static func supervise(pid: pid_t, stdin: Int32, output: Int32, input: Data, timeout: Double, keep: Int) -> Outcome {
        _ = fcntl(stdin, F_SETFL, fcntl(stdin, F_GETFL) | O_NONBLOCK)
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
        var writeFD: Int32 = stdin
        var readFD: Int32 = output
        var written = 0
        var collected = Data()
        var exit: Int32?
        var timedOut = false
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(timeout * 1e9)
        var exitedAt: UInt64?
        var buffer = [UInt8](repeating: 0, count: 4096)
        if input.isEmpty { close(writeFD); writeFD = -1 }

        while true {
            if exit == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    exit = status
                    exitedAt = DispatchTime.now().uptimeNanoseconds
                }
            }
            let now = DispatchTime.now().uptimeNanoseconds
            // Done when the program has exited and its output is drained (or a leftover child keeps it open 200 ms).
            if let exitedAt, readFD < 0 || now - exitedAt > 200_000_000 { break }
            if exit == nil && now >= deadline {
                timedOut = true
                kill(-pid, SIGTERM)
                exit = reap(pid, within: 1) ?? { kill(-pid, SIGKILL); var s: Int32 = 0; waitpid(pid, &s, 0); return s }()
                break
            }
            var fds = [pollfd(fd: readFD, events: Int16(POLLIN), revents: 0), pollfd(fd: writeFD, events: Int16(POLLOUT), revents: 0)]
            _ = poll(&fds, 2, 20)
            if readFD >= 0 && fds[0].revents != 0 {
                let n = read(readFD, &buffer, buffer.count)
                if n > 0 {
                    if collected.count < keep { collected.append(contentsOf: buffer[0..<min(n, keep - collected.count)]) }
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(readFD); readFD = -1
                }
            }
            if writeFD >= 0 && fds[1].revents != 0 {
                let n = input.withUnsafeBytes { bytes in
                    write(writeFD, bytes.baseAddress! + written, bytes.count - written)
                }
                if n > 0 { written += n }
                // Done, or the program closed its stdin without reading it all: that is its business.
                if written >= input.count || (n < 0 && errno != EAGAIN && errno != EINTR) {
                    close(writeFD); writeFD = -1
                }
            }
        }
        if writeFD >= 0 { close(writeFD) }
        if readFD >= 0 { close(readFD) }
        kill(-pid, SIGKILL)   // nothing of the hook outlives its attempt
        let status = exit ?? 0
        let exited = (status & 0x7f) == 0
        return Outcome(status: exited && !timedOut ? (status >> 8) & 0xff : nil,
                       signal: exited || timedOut ? nil : status & 0x7f, timedOut: timedOut, output: collected)
    }

    private static func reap(_ pid: pid_t, within seconds: Double) -> Int32? {
        let until = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        while DispatchTime.now().uptimeNanoseconds < until {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return status }
            usleep(10_000)
        }
        return nil
    }
}
