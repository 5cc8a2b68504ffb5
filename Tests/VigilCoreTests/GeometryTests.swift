import VigilTestSupport
import Testing
import VigilCore

@Suite struct GeometryTests {
    @Test func iouOfIdenticalAndDisjointBoxes() {
        let a = BoundingBox(x: 0, y: 0, width: 10, height: 10)
        #expect(a.iou(a) == 1)
        #expect(a.iou(BoundingBox(x: 20, y: 20, width: 5, height: 5)) == 0)
        #expect(abs(a.iou(BoundingBox(x: 5, y: 0, width: 10, height: 10)) - 50.0 / 150.0) < 1e-9)
    }
}
