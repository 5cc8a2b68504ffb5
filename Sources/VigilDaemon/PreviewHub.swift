import Foundation
import VigilAPI
import VigilCore
import VigilVision

/// The newest analysed frame per camera, for the API's previews. Workers hand frames in
/// only while a viewer watches (`wanted`), so without viewers the cost is one atomic read per frame.
/// JPEG encoding happens on the hub's own queue, at the viewers' pace, never in a worker.
final class PreviewHub: PreviewSource, @unchecked Sendable {
    private struct Slot {
        var frame: Frame?
        var boxes: [BoundingBox] = []
        var sequence: UInt64 = 0
        var encoded: (data: Data, sequence: UInt64)?
        var viewers = 0
    }

    private let lock = NSLock()
    private var slots: [String: Slot]
    private let ids: [String]
    private let queue = DispatchQueue(label: "vigil.preview")
    /// Previews are for people: a smaller, lower-quality JPEG keeps many viewers cheap.
    private let quality = 70

    init(cameras: [String]) {
        ids = cameras
        slots = Dictionary(uniqueKeysWithValues: cameras.map { ($0, Slot()) })
    }

    func wanted(camera index: Int) -> Bool {
        lock.withLock { slots[ids[index]]?.viewers ?? 0 > 0 }
    }

    func publish(camera index: Int, frame: Frame, boxes: [BoundingBox]) {
        lock.withLock {
            slots[ids[index]]?.frame = frame
            slots[ids[index]]?.boxes = boxes
            slots[ids[index]]?.sequence += 1
        }
    }

    func watch(camera: String, delta: Int) {
        lock.withLock {
            guard var slot = slots[camera] else { return }
            slot.viewers = max(0, slot.viewers + delta)
            if slot.viewers == 0 { slot.frame = nil; slot.encoded = nil }
            slots[camera] = slot
        }
    }

    func jpeg(camera: String, after sequence: UInt64) async -> (data: Data, sequence: UInt64)? {
        let pending: (Frame, [BoundingBox], UInt64)? = lock.withLock {
            guard let slot = slots[camera], slot.sequence > sequence else { return nil }
            if let encoded = slot.encoded, encoded.sequence == slot.sequence { return nil }
            return slot.frame.map { ($0, slot.boxes, slot.sequence) }
        }
        if pending == nil {
            return lock.withLock {
                guard let encoded = slots[camera]?.encoded, encoded.sequence > sequence else { return nil }
                return encoded
            }
        }
        guard let (frame, boxes, number) = pending else { return nil }
        let quality = self.quality
        let data: Data? = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: try? EvidenceWriter.jpeg(frame, crop: nil, boxes: boxes, quality: quality)) }
        }
        guard let data else { return nil }
        lock.withLock { slots[camera]?.encoded = (data, number) }
        return (data, number)
    }
}
