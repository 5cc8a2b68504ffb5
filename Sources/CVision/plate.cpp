// Licence plates: the contour-based localisation, character segmentation and
// Tesseract OCR behind vg_plate_*. Region formats, confusion repair, ranking by
// plausibility and matching live in Swift (VigilPlates); this file only turns
// pixels into candidate reads with per-character confidences.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include "guard.hpp"

namespace {

const char *const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// One segmented plate before OCR: the deskewed crop's characters on white.
struct Segmented {
    cv::RotatedRect plate;      // the proposal, in source pixels
    cv::Rect box;               // the plate estimated from its character row, source pixels
    cv::Rect row;               // character row, in source pixels (axis-aligned)
    std::vector<cv::Rect> chars; // in the normalised crop
    cv::Mat line;               // black characters on white, ready for OCR
    cv::Mat spaced;             // the same characters re-laid at one height and even spacing
    double order = 0;           // higher is read first
};

int odd(int value) { return std::max(3, value | 1); }

/// Steps 1-5 of the contour procedure on one closing kernel: candidate rotated rectangles.
void propose(const cv::Mat &edges, cv::Size kernel, const vg_plate_params &p, double scale, double frame_area,
             std::vector<cv::RotatedRect> &out) {
    cv::Mat closed;
    cv::morphologyEx(edges, closed, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, kernel));
    // A light opening removes single edge lines so neighbouring text does not bridge into the plate.
    cv::morphologyEx(closed, closed, cv::MORPH_OPEN,
                     cv::getStructuringElement(cv::MORPH_RECT, cv::Size(std::max(3, kernel.width / 3), 3)));
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(closed, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    for (const auto &contour : contours) {
        cv::RotatedRect r = cv::minAreaRect(contour);
        // Normalise so width is the long side and the angle stays within +-45 degrees.
        if (r.size.width < r.size.height) {
            std::swap(r.size.width, r.size.height);
            r.angle += 90;
        }
        while (r.angle > 45) r.angle -= 90;
        while (r.angle < -45) r.angle += 90;
        if (std::abs(r.angle) > p.max_angle) continue;
        const double aspect = r.size.width / std::max(1.0f, r.size.height);
        const double area = r.size.area() / (scale * scale);
        if (aspect < p.min_aspect || aspect > p.max_aspect) continue;
        if (area < p.min_area * frame_area || area > p.max_area * frame_area) continue;
        out.emplace_back(cv::Point2f(r.center.x / scale, r.center.y / scale),
                         cv::Size2f(r.size.width / scale, r.size.height / scale), r.angle);
    }
}

double iou(const cv::Rect &a, const cv::Rect &b) {
    const double inter = (a & b).area();
    return inter / std::max(1.0, double(a.area() + b.area()) - inter);
}

/// Characters of one polarity in the normalised crop: outer contours of the
/// binarised value channel, filtered by height and aspect, grouped into the row
/// where most of them agree on height and centre line.
std::vector<cv::Rect> characters(const cv::Mat &binary, const vg_plate_params &p) {
    // Two-level hierarchy, outer boundaries only: a character sits inside the hole of the
    // plate's frame, so it is not an external contour of the crop.
    std::vector<std::vector<cv::Point>> contours;
    std::vector<cv::Vec4i> hierarchy;
    cv::findContours(binary.clone(), contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
    const int height = binary.rows;
    std::vector<cv::Rect> boxes;
    for (size_t i = 0; i < contours.size(); ++i) {
        if (hierarchy[i][3] >= 0) continue; // a hole
        const auto &contour = contours[i];
        const cv::Rect b = cv::boundingRect(contour);
        const double h = double(b.height) / height;
        const double aspect = double(b.width) / b.height;
        if (h < p.char_min_height || h > p.char_max_height) continue;
        if (aspect < 0.08 || aspect > 1.1) continue;
        if (cv::contourArea(contour) < 0.03 * b.height * b.height && aspect > 0.25) continue;
        boxes.push_back(b);
    }
    // The row: for each box as a seed, the boxes of similar height whose centre lines agree.
    std::vector<cv::Rect> best;
    for (const auto &seed : boxes) {
        std::vector<cv::Rect> row;
        const double cy = seed.y + seed.height / 2.0;
        for (const auto &b : boxes) {
            if (std::abs(b.height - seed.height) > 0.2 * seed.height) continue;
            if (std::abs(b.y + b.height / 2.0 - cy) > 0.25 * seed.height) continue;
            row.push_back(b);
        }
        if (row.size() > best.size()) best = row;
    }
    std::sort(best.begin(), best.end(), [](const cv::Rect &a, const cv::Rect &b) { return a.x < b.x; });
    // Drop boxes nested in another (holes of 0, 8 are not external, but fragments can overlap).
    std::vector<cv::Rect> merged;
    for (const auto &b : best) {
        if (!merged.empty() && (merged.back() & b).area() > 0.5 * b.area()) {
            merged.back() |= b;
            continue;
        }
        merged.push_back(b);
    }
    // The crop is wider than the candidate, so split the row at gaps wider than a character
    // and keep the longest run: neighbouring text of the same height is not part of the plate.
    std::vector<cv::Rect> kept, run;
    for (const auto &b : merged) {
        if (!run.empty() && b.x - run.back().br().x > p.max_gap * run.back().height) {
            if (run.size() > kept.size()) kept = run;
            run.clear();
        }
        run.push_back(b);
    }
    if (run.size() > kept.size()) kept = run;
    return kept;
}

/// The segmented characters scaled to one height and laid out evenly: a second
/// reading for rows where the LSTM merged or dropped characters of the line.
cv::Mat respace(const cv::Mat &binary, const std::vector<cv::Rect> &chars, int height) {
    const int gap = height / 3, margin = height / 2;
    std::vector<cv::Mat> glyphs;
    int width = 2 * margin;
    for (const auto &b : chars) {
        cv::Mat glyph;
        const double k = double(height) / b.height;
        cv::resize(binary(b), glyph, cv::Size(std::max(1, int(b.width * k)), height), 0, 0, cv::INTER_AREA);
        glyphs.push_back(glyph);
        width += glyph.cols + gap;
    }
    cv::Mat canvas(height + 2 * margin, width, CV_8U, cv::Scalar(255));
    int x = margin;
    for (const auto &glyph : glyphs) {
        canvas(cv::Rect(x, margin, glyph.cols, glyph.rows)).setTo(0, glyph > 127);
        x += glyph.cols + gap;
    }
    return canvas;
}

/// Deskews `plate` out of the frame, binarises it both ways and keeps the
/// polarity with the most plausible row of characters.
bool segment(const cv::Mat &frame, const cv::RotatedRect &plate, const vg_plate_params &p, Segmented &out) {
    // Rotate around the plate centre, then cut an axis-aligned crop with a vertical margin
    // (contour boxes are often tight on the character row).
    const float margin_x = plate.size.width * 0.15f + plate.size.height * 0.6f;
    const float margin_y = plate.size.height * 0.25f;
    const cv::Size2f size(plate.size.width + 2 * margin_x, plate.size.height + 2 * margin_y);
    cv::Mat crop, rotation, inverse;
    if (std::abs(plate.angle) > 0.5) {
        rotation = cv::getRotationMatrix2D(plate.center, plate.angle, 1.0);
        cv::invertAffineTransform(rotation, inverse);
        cv::Mat rotated;
        const cv::Rect area = cv::Rect(cv::Point(int(plate.center.x - size.width), int(plate.center.y - size.height)),
                                       cv::Size(int(size.width * 2), int(size.height * 2))) &
                              cv::Rect(0, 0, frame.cols, frame.rows);
        if (area.empty()) return false;
        // The same rotation, expressed in the window's own coordinates.
        const cv::Mat local = cv::getRotationMatrix2D(plate.center - cv::Point2f(area.tl()), plate.angle, 1.0);
        cv::warpAffine(frame(area), rotated, local, area.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        cv::getRectSubPix(rotated, cv::Size(size), plate.center - cv::Point2f(area.tl()), crop);
    } else {
        cv::getRectSubPix(frame, cv::Size(size), plate.center, crop);
    }
    if (crop.empty()) return false;
    const double norm = double(p.crop_height) / crop.rows;
    cv::resize(crop, crop, cv::Size(std::max(1, int(crop.cols * norm)), p.crop_height), 0, 0, cv::INTER_CUBIC);
    cv::Mat hsv, channels[3];
    cv::cvtColor(crop, hsv, cv::COLOR_BGR2HSV);
    cv::split(hsv, channels);
    // Stretch the value channel to the full range: dim, low-contrast plates (night,
    // shade) otherwise fall under the adaptive threshold's fixed offset.
    cv::Mat value;
    cv::normalize(channels[2], value, 0, 255, cv::NORM_MINMAX);

    std::vector<cv::Rect> best;
    cv::Mat best_binary;
    // Both polarities (dark on light and light on dark), and a stricter offset that thins
    // strokes so blurred neighbours come apart; the row with the most characters wins.
    for (int attempt = 0; attempt < 4; ++attempt) {
        const int polarity = attempt % 2;
        const double offset = attempt < 2 ? p.threshold_offset : 2 * p.threshold_offset;
        if (attempt == 2 && int(best.size()) >= p.min_chars) break;
        cv::Mat binary;
        cv::adaptiveThreshold(value, binary, 255, cv::ADAPTIVE_THRESH_GAUSSIAN_C,
                              polarity == 0 ? cv::THRESH_BINARY_INV : cv::THRESH_BINARY, odd(p.crop_height / 2 + 1),
                              offset);
        // Clean-up: a thin border mask cuts characters loose from the plate frame.
        cv::Mat mask = cv::Mat::zeros(binary.size(), CV_8U);
        cv::rectangle(mask, cv::Rect(2, 2, binary.cols - 4, binary.rows - 4), cv::Scalar(255), cv::FILLED);
        cv::bitwise_and(binary, mask, binary);
        const auto found = characters(binary, p);
        if (found.size() > best.size()) {
            best = found;
            best_binary = binary;
        }
    }
    if (best.empty() || int(best.size()) < p.min_chars || int(best.size()) > p.max_chars + 2) return false;

    cv::Rect row = best.front();
    for (const auto &b : best) row |= b;
    // A row much narrower than the plate holds only part of the text; one far wider is not a plate row.
    int median_h = 0;
    {
        std::vector<int> heights;
        for (const auto &b : best) heights.push_back(b.height);
        std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
        median_h = heights[heights.size() / 2];
    }
    // The OCR line: only the selected characters, black on white, scaled to the target character height.
    cv::Mat line(best_binary.size(), CV_8U, cv::Scalar(255));
    for (const auto &b : best) {
        cv::Mat glyph = best_binary(b);
        line(b).setTo(0, glyph);
    }
    const int pad = std::max(2, median_h / 5);
    const cv::Rect padded = cv::Rect(row.x - pad, row.y - pad, row.width + 2 * pad, row.height + 2 * pad) &
                            cv::Rect(0, 0, line.cols, line.rows);
    cv::Mat cut = line(padded);
    const double to_target = double(p.ocr_char_height) / median_h;
    cv::resize(cut, cut, cv::Size(), to_target, to_target, cv::INTER_AREA);
    cv::threshold(cut, cut, 127, 255, cv::THRESH_BINARY);
    cv::copyMakeBorder(cut, out.line, 12, 12, 12, 12, cv::BORDER_CONSTANT, cv::Scalar(255));

    // Back to source pixels: the character row, and the plate around it (plates are about
    // `plate_height` character heights tall and the row spans `plate_width` of their width).
    const cv::Point2f crop_origin = plate.center - cv::Point2f(size.width / 2, size.height / 2);
    const auto to_source = [&](const cv::Rect2f &r) {
        std::vector<cv::Point2f> corners = {{r.x, r.y}, {r.x + r.width, r.y}, {r.x, r.y + r.height},
                                            {r.x + r.width, r.y + r.height}};
        for (auto &c : corners) c = crop_origin + c * float(1.0 / norm);
        if (!rotation.empty()) cv::transform(corners, corners, inverse);
        return cv::boundingRect(corners);
    };
    out.row = to_source(row);
    const float plate_h = float(median_h * p.plate_height);
    const float plate_w = float(row.width / p.plate_width);
    const cv::Point2f row_centre(row.x + row.width / 2.0f, row.y + row.height / 2.0f);
    out.box = to_source(cv::Rect2f(row_centre.x - plate_w / 2, row_centre.y - plate_h / 2, plate_w, plate_h));
    out.plate = plate;
    out.chars = best;
    out.spaced = respace(best_binary, best, p.ocr_char_height);
    // Reading order: rows of 5-8 regular characters that span the plate first.
    const double count_fit = -std::abs(int(best.size()) - 7.0);
    const double span = double(row.width) / best_binary.cols;
    out.order = count_fit + 2.0 * span;
    return true;
}

} // namespace

struct vg_plate_reader {
    tesseract::TessBaseAPI ocr;
    vg_plate_params params;
    std::string last_error;
};

extern "C" vg_plate_params vg_plate_default_params(void) {
    vg_plate_params p;
    p.work_width = 1280;
    p.blur = 3;
    p.close_width = 13;
    p.close_height = 3;
    p.coarse = 1;
    p.min_aspect = 1.2;
    p.max_aspect = 7.0;
    p.min_area = 0.0004;
    p.max_area = 0.15;
    p.max_angle = 20;
    p.crop_height = 96;
    p.threshold_offset = 10;
    p.char_min_height = 0.25;
    p.char_max_height = 0.9;
    p.min_chars = 4;
    p.max_chars = 8;
    p.max_gap = 1.2;
    p.plate_height = 1.8;
    p.plate_width = 0.85;
    p.max_reads = 8;
    p.ocr_char_height = 48;
    return p;
}

extern "C" vg_plate_reader *vg_plate_reader_create(const char *tessdata_dir, const vg_plate_params *params,
                                                   char *error, size_t error_len) {
    if (params == nullptr) {
        vigil::write_error(error, error_len, "missing plate parameters");
        return nullptr;
    }
    try {
        auto reader = std::make_unique<vg_plate_reader>();
        reader->params = *params;
        // Dictionaries only hurt on plates; they are init-only variables.
        std::vector<std::string> names = {"load_system_dawg", "load_freq_dawg"};
        std::vector<std::string> values = {"0", "0"};
        if (reader->ocr.Init(tessdata_dir, "eng", tesseract::OEM_LSTM_ONLY, nullptr, 0, &names, &values, false) != 0) {
            vigil::write_error(error, error_len,
                               std::string("Tesseract could not load eng.traineddata from ") +
                                   (tessdata_dir ? tessdata_dir : "its default tessdata directory"));
            return nullptr;
        }
        reader->ocr.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
        reader->ocr.SetVariable("tessedit_char_whitelist", kAlphabet);
        reader->ocr.SetVariable("user_defined_dpi", "300");
        reader->ocr.SetVariable("debug_file", "/dev/null");
        return reader.release();
    } catch (const std::exception &e) {
        vigil::write_error(error, error_len, e.what());
    } catch (...) {
        vigil::write_error(error, error_len, "unknown C++ exception creating the plate reader");
    }
    return nullptr;
}

extern "C" void vg_plate_reader_destroy(vg_plate_reader *reader) {
    if (reader == nullptr) return;
    reader->ocr.End();
    delete reader;
}

extern "C" void vg_plate_reader_set_params(vg_plate_reader *reader, const vg_plate_params *params) {
    if (reader != nullptr && params != nullptr) reader->params = *params;
}

extern "C" const char *vg_plate_reader_last_error(const vg_plate_reader *reader) {
    return reader ? reader->last_error.c_str() : "no plate reader";
}

namespace {

/// Tesseract on one prepared line: the text with one confidence (0-1) per character.
void recognise(tesseract::TessBaseAPI &ocr, const cv::Mat &line, vg_plate_read &out) {
    ocr.SetImage(line.data, line.cols, line.rows, 1, int(line.step));
    out.length = 0;
    out.text[0] = 0;
    out.mean_confidence = 0;
    if (ocr.Recognize(nullptr) != 0) return;
    std::unique_ptr<tesseract::ResultIterator> it(ocr.GetIterator());
    if (!it) return;
    double sum = 0;
    do {
        std::unique_ptr<char[]> symbol(it->GetUTF8Text(tesseract::RIL_SYMBOL));
        if (!symbol || symbol[0] == 0 || symbol[1] != 0) continue; // whitelist: single ASCII bytes only
        if (out.length >= VG_PLATE_TEXT) break;
        const float conf = std::clamp(it->Confidence(tesseract::RIL_SYMBOL) / 100.0f, 0.0f, 1.0f);
        out.text[out.length] = symbol[0];
        out.confidence[out.length] = conf;
        sum += conf;
        out.length += 1;
    } while (it->Next(tesseract::RIL_SYMBOL));
    out.text[out.length] = 0;
    out.mean_confidence = out.length ? float(sum / out.length) : 0;
}

vg_rect to_rect(const cv::Rect &r) { return vg_rect{r.x, r.y, r.width, r.height}; }

} // namespace

extern "C" int vg_plate_read_frame(vg_plate_reader *reader, const vg_image *image, vg_plate_read *out,
                                   int32_t capacity, int32_t *count) {
    if (reader == nullptr || !vigil::valid(image) || out == nullptr || count == nullptr || capacity < 1) {
        if (reader) reader->last_error = "invalid image or output for plate reading";
        return VG_ERR_ARGUMENT;
    }
    return vigil::guarded(reader->last_error, [&]() -> int {
        const vg_plate_params &p = reader->params;
        const cv::Mat frame = vigil::borrow(*image);
        // Localisation runs at a fixed working width so kernel sizes mean the same on every camera.
        const double scale = double(p.work_width) / frame.cols;
        cv::Mat work, grey, gradient, edges;
        cv::resize(frame, work, cv::Size(), scale, scale, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
        cv::GaussianBlur(work, work, cv::Size(odd(p.blur), odd(p.blur)), 0);
        cv::cvtColor(work, grey, cv::COLOR_BGR2GRAY);
        cv::Sobel(grey, gradient, CV_16S, 1, 0, 3);
        cv::convertScaleAbs(gradient, gradient);
        cv::threshold(gradient, edges, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);

        std::vector<cv::RotatedRect> proposals;
        const double frame_area = double(frame.cols) * frame.rows;
        propose(edges, cv::Size(p.close_width, p.close_height), p, scale, frame_area, proposals);
        if (p.coarse) {
            // Large plates split at a dash or a gap under the fine kernel: a second, coarser pass.
            propose(edges, cv::Size(p.close_width * 2 + 1, p.close_height * 2 + 1), p, scale, frame_area, proposals);
        }

        std::vector<Segmented> segmented;
        for (const auto &plate : proposals) {
            Segmented s;
            if (!segment(frame, plate, p, s)) continue;
            bool duplicate = false;
            for (auto &other : segmented) {
                if (iou(other.box, s.box) > 0.5) {
                    duplicate = true;
                    if (s.order > other.order) other = s;
                    break;
                }
            }
            if (!duplicate) segmented.push_back(std::move(s));
        }
        std::stable_sort(segmented.begin(), segmented.end(),
                         [](const Segmented &a, const Segmented &b) { return a.order > b.order; });
        int32_t n = 0;
        for (const auto &s : segmented) {
            if (n >= capacity || n >= p.max_reads) break;
            vg_plate_read &read = out[n];
            read.box = to_rect(s.box & cv::Rect(0, 0, frame.cols, frame.rows));
            read.row = to_rect(s.row & cv::Rect(0, 0, frame.cols, frame.rows));
            read.angle = s.plate.angle;
            read.char_count = int32_t(s.chars.size());
            read.plausibility = float(s.order);
            recognise(reader->ocr, s.line, read);
            n += 1;
            // OCR read a different number of characters than were segmented: offer the evenly
            // spaced characters as an alternative reading of the same plate; the ranker chooses.
            if (read.length != read.char_count && n < capacity) {
                vg_plate_read &alternative = out[n];
                alternative = read;
                alternative.plausibility = float(s.order) - 0.5f;
                recognise(reader->ocr, s.spaced, alternative);
                n += 1;
            }
        }
        *count = n;
        return VG_OK;
    });
}

extern "C" int vg_plate_read_crop(vg_plate_reader *reader, const vg_image *image, vg_plate_read *out) {
    if (reader == nullptr || !vigil::valid(image) || out == nullptr) {
        if (reader) reader->last_error = "invalid image or output for plate reading";
        return VG_ERR_ARGUMENT;
    }
    return vigil::guarded(reader->last_error, [&]() -> int {
        const cv::Mat frame = vigil::borrow(*image);
        // The whole image is the plate: a centred, unrotated candidate; segment()'s margins reach
        // past the image's edges, which getRectSubPix fills by replicating the border.
        const cv::RotatedRect plate(cv::Point2f(frame.cols / 2.0f, frame.rows / 2.0f),
                                    cv::Size2f(frame.cols / 1.12f, frame.rows / 1.5f), 0);
        Segmented s;
        out->box = vg_rect{0, 0, frame.cols, frame.rows};
        out->angle = 0;
        if (!segment(frame, plate, reader->params, s)) {
            out->char_count = 0;
            out->length = 0;
            out->text[0] = 0;
            out->mean_confidence = 0;
            out->plausibility = 0;
            out->row = out->box;
            return VG_OK;
        }
        out->row = to_rect(s.row & cv::Rect(0, 0, frame.cols, frame.rows));
        out->char_count = int32_t(s.chars.size());
        out->plausibility = float(s.order);
        recognise(reader->ocr, s.line, *out);
        return VG_OK;
    });
}
