import CVision
import VigilCore

/// The one place CVision status codes become `VisionError`s.
enum NativeStatus {
    static func check(_ status: Int32, _ operation: String, message: @autoclosure () -> String) throws {
        guard status != Int32(VG_OK) else { return }
        let detail: String
        switch Int(status) {
        case VG_ERR_ARGUMENT: detail = "invalid argument"
        case VG_ERR_MODEL: detail = "model error: \(message())"
        case VG_ERR_CAPACITY: detail = "too many results"
        default: detail = message()
        }
        throw VisionError.native(operation: operation, message: detail.isEmpty ? "status \(status)" : detail)
    }

    static func errorText(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Frame {
    /// Lends the pixels to C as a `vg_image` for the duration of `body`.
    func withNativeImage<T>(_ body: (UnsafePointer<vg_image>) throws -> T) rethrows -> T {
        try pixels.withUnsafeBufferPointer { buffer in
            var image = vg_image(data: buffer.baseAddress, width: Int32(width), height: Int32(height),
                                 stride: Int32(stride))
            return try body(&image)
        }
    }
}

extension BoundingBox {
    init(_ rect: vg_rect) {
        self.init(x: Int(rect.x), y: Int(rect.y), width: Int(rect.width), height: Int(rect.height))
    }

    var native: vg_rect {
        vg_rect(x: Int32(x), y: Int32(y), width: Int32(width), height: Int32(height))
    }
}
