"""The peer: the face_recognition examples' pipeline on a video, with OpenCV's
Haar cascade for detection (scale 1.1, 5 neighbours, 30 px) and dlib's
encoder through PyPI face_recognition, at the same analysis rate as Vigil.
Prints one JSON object: frames analysed, CPU and wall seconds, matches."""
import json
import sys
import time

import cv2
import face_recognition


def main(video, fps, known):
    names, encodings = [], []
    for item in known:
        name, path = item.split("=", 1)
        names.append(name)
        encodings.append(face_recognition.face_encodings(face_recognition.load_image_file(path))[0])
    cascade = cv2.CascadeClassifier("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml")
    capture = cv2.VideoCapture(video)
    cpu0, wall0 = time.process_time(), time.time()
    next_time, analysed, faces, matches = 0.0, 0, 0, []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        t = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000
        if t + 0.0005 < next_time:
            continue
        next_time = (int(t * fps + 0.0005) + 1) / fps
        analysed += 1
        grey = cv2.equalizeHist(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
        boxes = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(30, 30))
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        locations = [(int(y), int(x + w), int(y + h), int(x)) for (x, y, w, h) in boxes]
        for encoding in face_recognition.face_encodings(rgb, locations):
            faces += 1
            distances = face_recognition.face_distance(encodings, encoding)
            best = int(distances.argmin())
            if distances[best] <= 0.6:
                matches.append({"t": round(t, 2), "subject": names[best], "distance": round(float(distances[best]), 3)})
    print(json.dumps({"frames_analysed": analysed, "faces": faces, "cpu_seconds": time.process_time() - cpu0,
                      "wall_seconds": time.time() - wall0, "matches": matches}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3:])
