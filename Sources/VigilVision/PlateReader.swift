import CVision
import Foundation
import VigilCore

/// Localises, segments and reads licence plates (OpenCV contours + Tesseract LSTM).
///
/// Owns one native reader (one Tesseract engine); not thread-safe. One per
/// worker thread, as Tesseract engines must not be shared.
public final class PlateReader {
    /// Debian's tesseract-ocr-eng installs here; `VIGIL_TESSDATA` overrides.
    public static let defaultTessdata = "/usr/share/tesseract-ocr/5/tessdata"
    private static let capacity = 32

    private let handle: OpaquePointer
    /// Mutable so one worker can serve cameras with different settings (one call at a time).
    public var settings: PlateSettings {
        didSet {
            var params = settings.native
            vg_plate_reader_set_params(handle, &params)
        }
    }

    public init(settings: PlateSettings, tessdata: String? = nil) throws {
        let directory = tessdata ?? ProcessInfo.processInfo.environment["VIGIL_TESSDATA"] ?? Self.defaultTessdata
        let model = (directory as NSString).appendingPathComponent("eng.traineddata")
        guard FileManager.default.isReadableFile(atPath: model) else {
            throw VisionError.modelMissing(path: model, hint: "install Debian's tesseract-ocr-eng (scripts/setup.sh) or set VIGIL_TESSDATA")
        }
        var params = settings.native
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = vg_plate_reader_create(directory, &params, &error, error.count) else {
            throw VisionError.modelUnreadable(path: model, reason: NativeStatus.errorText(error))
        }
        self.handle = handle
        self.settings = settings
    }

    deinit { vg_plate_reader_destroy(handle) }

    /// Every candidate the contour procedure found and OCR read, most plausible first.
    public func read(_ frame: Frame) throws -> [PlateCandidate] {
        var results = [vg_plate_read](repeating: vg_plate_read(), count: Self.capacity)
        var count: Int32 = 0
        let status = frame.withNativeImage { image in
            results.withUnsafeMutableBufferPointer { vg_plate_read_frame(handle, image, $0.baseAddress!, Int32(Self.capacity), &count) }
        }
        try NativeStatus.check(status, "plate reading", message: String(cString: vg_plate_reader_last_error(handle)))
        return results.prefix(Int(count)).map(PlateCandidate.init)
    }

    /// Reads an image that is already one plate (a crop), skipping localisation.
    public func readCrop(_ frame: Frame) throws -> PlateCandidate {
        var result = vg_plate_read()
        let status = frame.withNativeImage { vg_plate_read_crop(handle, $0, &result) }
        try NativeStatus.check(status, "plate reading", message: String(cString: vg_plate_reader_last_error(handle)))
        return PlateCandidate(result)
    }
}

extension PlateCandidate {
    init(_ read: vg_plate_read) {
        var read = read
        let length = Int(read.length)
        let text = withUnsafeBytes(of: &read.text) { bytes in
            String(decoding: bytes.prefix(length), as: UTF8.self)
        }
        let confidences = withUnsafeBytes(of: &read.confidence) { bytes in
            Array(bytes.bindMemory(to: Float.self).prefix(length)).map(Double.init)
        }
        self.init(box: BoundingBox(read.box), row: BoundingBox(read.row), angle: Double(read.angle),
                  segmentedCharacters: Int(read.char_count), text: text, confidences: confidences,
                  plausibility: Double(read.plausibility))
    }
}

extension PlateSettings {
    var native: vg_plate_params {
        var p = vg_plate_default_params()
        p.work_width = Int32(workWidth)
        p.blur = Int32(blur)
        p.close_width = Int32(closeWidth)
        p.close_height = Int32(closeHeight)
        p.coarse = coarsePass ? 1 : 0
        p.min_aspect = minAspect
        p.max_aspect = maxAspect
        p.min_area = minArea
        p.max_area = maxArea
        p.max_angle = maxAngle
        p.threshold_offset = thresholdOffset
        p.char_min_height = charMinHeight
        p.char_max_height = charMaxHeight
        p.min_chars = Int32(minChars)
        p.max_chars = Int32(maxChars)
        p.max_reads = Int32(maxReads)
        return p
    }
}
