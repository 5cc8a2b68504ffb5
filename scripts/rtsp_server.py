#!/usr/bin/python3
"""A real RTSP server for Vigil's integration tests and benchmarks (loopback only).

Serves an H.264 MPEG-TS file at rtsp://127.0.0.1:PORT/NAME as a shared, live
(real-time) stream, like a camera: every client sees the same moment. Runs
until killed. Uses GStreamer's RTSP server from Debian (python3-gi,
gir1.2-gst-rtsp-server-1.0); test media is made at test time with ffmpeg.

    rtsp_server.py PORT NAME FILE.ts
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    port, name, path = sys.argv[1], sys.argv[2], sys.argv[3]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(f'( filesrc location="{path}" ! tsdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )')
    factory.set_shared(True)
    server.get_mount_points().add_factory("/" + name, factory)
    if server.attach(None) == 0:
        print(f"rtsp_server: cannot listen on 127.0.0.1:{port}", file=sys.stderr)
        return 1
    print(f"rtsp_server: serving rtsp://127.0.0.1:{port}/{name}", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
