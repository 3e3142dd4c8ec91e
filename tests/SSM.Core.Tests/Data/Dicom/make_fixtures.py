#!/usr/bin/python3
"""Writes the DICOM files the DICOM tests read (DicomFileTests, DicomPixelAttributesTests, JpegLsStreamTests): small
synthetic images (their pixels are formulas the tests know, or noise kept uncompressed beside its compressed copies), written
by pydicom and converted to other transfer syntaxes by DCMTK and GDCM, so that the reader is checked against other
programs' encoders, not against a writer of our own. Run from this folder on Debian 12:
    apt-get install python3-pydicom dcmtk libgdcm-tools && /usr/bin/python3 make_fixtures.py
jpegls-runaway.dcm is not made here: a 126-byte JPEG-LS stream crafted in a review (2026-12-02) whose codes drive a context's
statistics past 2^30, where a decoder without bounds searches for its Golomb parameter for ever; DCMTK refuses it.
"""
import subprocess
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.pixel_data_handlers.util import convert_color_space
from pydicom.uid import ExplicitVRLittleEndian, JPEGLosslessSV1, generate_uid, SecondaryCaptureImageStorage

W, H = 24, 20   # not square, so that rows and columns cannot be swapped unnoticed
x, y = np.meshgrid(np.arange(W), np.arange(H))


def dataset(pixels, photometric, bits_stored, signed=False, frames=1, planar=None, **extra):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[photometric, str(bits_stored), str(frames)])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.PatientName, ds.Modality = "Synthetic^Fixture", "OT"
    ds.Rows, ds.Columns = H, W
    ds.SamplesPerPixel = 3 if photometric in ("RGB", "YBR_FULL") else 1
    ds.PhotometricInterpretation = photometric
    if planar is not None: ds.PlanarConfiguration = planar
    allocated = 8 if bits_stored <= 8 else 16
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = allocated, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if frames > 1: ds.NumberOfFrames = frames
    for key, value in extra.items(): setattr(ds, key, value)
    ds.PixelData = pixels.tobytes()
    return ds


def run(*args):
    subprocess.run(args, check=True)


def lossless_jpeg(pixels, precision, restart_rows):
    """A lossless JPEG (T.81 process 14, predictor 1) with a restart marker every `restart_rows` rows, which neither DCMTK
    nor GDCM writes. Its Huffman table gives each of the 17 difference sizes a 5-bit code."""
    height, width = pixels.shape
    out = bytearray(b"\xFF\xD8")
    out += bytes([0xFF, 0xC3, 0, 11, precision, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0])
    counts = [0] * 16
    counts[4] = 17
    out += bytes([0xFF, 0xC4, 0, 3 + 16 + 17, 0x00] + counts + list(range(17)))
    interval = restart_rows * width
    out += bytes([0xFF, 0xDD, 0, 4, interval >> 8, interval & 255])
    out += bytes([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 1, 0, 0])
    bits = []

    def flush():
        bits.extend([1] * (-len(bits) % 8))   # padded with ones
        for i in range(0, len(bits), 8):
            byte = int("".join(map(str, bits[i:i + 8])), 2)
            out.append(byte)
            if byte == 0xFF: out.append(0)    # stuffed
        bits.clear()

    restarts = 0
    for y in range(height):
        if y > 0 and y % restart_rows == 0:
            flush()
            out += bytes([0xFF, 0xD0 + restarts % 8])
            restarts += 1
        first = y % restart_rows == 0
        for x in range(width):
            prediction = (1 << (precision - 1)) if first and x == 0 else int(pixels[y - 1, x]) if x == 0 else int(pixels[y, x - 1])
            diff = (int(pixels[y, x]) - prediction) % 65536
            if diff > 32768: diff -= 65536
            size = 0 if diff == 0 else 16 if diff == 32768 else abs(diff).bit_length()
            bits.extend(int(b) for b in format(size, "05b"))
            if 0 < size < 16: bits.extend(int(b) for b in format(diff if diff > 0 else diff + (1 << size) - 1, f"0{size}b"))
    flush()
    return bytes(out + b"\xFF\xD9")


def decoded_elsewhere(path):
    """The pixels DCMTK and GDCM decode from `path`, each checked to be the same."""
    run("dcmdjpeg", path, "check-dcmtk.tmp")
    run("gdcmconv", "--raw", path, "check-gdcm.tmp")
    a, b = (pydicom.dcmread(f).pixel_array for f in ("check-dcmtk.tmp", "check-gdcm.tmp"))
    subprocess.run(["rm", "check-dcmtk.tmp", "check-gdcm.tmp"], check=True)
    assert (a == b).all()
    return a


# CT-like: signed 12-bit samples in 16 bits, a rescale to other units and a window that clips both ends.
ct = (-1000 + 37 * x + 113 * y).astype("<i2")
dataset(ct, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24",
        WindowCenter=["1000", "300"], WindowWidth=["4000", "600"]).save_as("ct12s.dcm", write_like_original=False)
# Without a window or a LUT: shown over the whole signed 12-bit range, turned round by a negative rescale slope.
dataset(ct, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24").save_as("ct12s-nowindow.dcm", write_like_original=False)
dataset(ct, "MONOCHROME2", 12, signed=True, RescaleSlope="-2", RescaleIntercept="100").save_as("ct12s-nowindow-negative.dcm",
                                                                                              write_like_original=False)
# The same samples with bits above the high bit set (old overlay bits): they are no part of the value.
dataset((ct.view("<u2") & 0x0FFF) | 0xA000, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24",
        WindowCenter="1000", WindowWidth="4000").save_as("ct12s-highbits.dcm", write_like_original=False)
# Enhanced CT: the rescale shared by every frame, each frame's own window, in functional groups. The data set's own rescale
# and window (which enhanced files do not have) and the shared window are set to something else: the shared group's values
# override the data set's, the first frame's the shared group's.
def group(**sequences):
    item = Dataset()
    for keyword, attributes in sequences.items():
        inner = Dataset()
        for key, value in attributes.items(): setattr(inner, key, value)
        setattr(item, keyword, [inner])
    return item


enhanced = dataset(np.stack([ct, ct[::-1]]), "MONOCHROME2", 12, signed=True, frames=2, WindowCenter="5", WindowWidth="10",
                   RescaleSlope="7", RescaleIntercept="0")
enhanced.SharedFunctionalGroupsSequence = [group(PixelValueTransformationSequence={"RescaleSlope": "2", "RescaleIntercept": "-24"},
                                                 FrameVOILUTSequence={"WindowCenter": "300", "WindowWidth": "600"})]
enhanced.PerFrameFunctionalGroupsSequence = [group(FrameVOILUTSequence={"WindowCenter": "1000", "WindowWidth": "4000"}),
                                             group(FrameVOILUTSequence={"WindowCenter": "300", "WindowWidth": "600"})]
enhanced.save_as("ct12s-enhanced.dcm", write_like_original=False)
run("dcmconv", "+ti", "-e", "ct12s-enhanced.dcm", "ct12s-enhanced-implicit.dcm")   # the same with sequences of undefined length
run("dcmconv", "+td", "ct12s-enhanced.dcm", "ct12s-enhanced-deflated.dcm")
run("dcmconv", "+tb", "ct12s-enhanced.dcm", "ct12s-enhanced-bigendian.dcm")

# The other window functions of PS3.3 C.11.2.1.3.
dataset(ct, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24", WindowCenter="1000", WindowWidth="4000",
        VOILUTFunction="SIGMOID").save_as("ct12s-sigmoid.dcm", write_like_original=False)
dataset(ct, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24", WindowCenter="1000", WindowWidth="4000",
        VOILUTFunction="LINEAR_EXACT").save_as("ct12s-exact.dcm", write_like_original=False)
# A sequence before the image's attributes whose item has its own (wrong) rows, columns and a nested sequence: skipped.
inner = Dataset()
inner.Rows, inner.Columns = 999, 999
inner.ReferencedSOPInstanceUID = generate_uid(entropy_srcs=["inner"])
outer = Dataset()
outer.Rows, outer.Columns, outer.ReferencedImageSequence = 7, 7, [inner]
withSequence = dataset(ct, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24", WindowCenter="1000", WindowWidth="4000")
withSequence.ReferencedImageSequence = [outer]
withSequence.ReferencedImageSequence.is_undefined_length = True
withSequence.ReferencedImageSequence[0].ReferencedImageSequence.is_undefined_length = True
withSequence.save_as("ct12s-sequence.dcm", write_like_original=False)
run("dcmconv", "+ti", "-e", "ct12s-sequence.dcm", "ct12s-sequence-implicit.dcm")
run("dcmconv", "+ti", "ct12s.dcm", "ct12s-implicit.dcm")
run("dcmconv", "+tb", "ct12s.dcm", "ct12s-bigendian.dcm")
run("dcmconv", "+td", "ct12s.dcm", "ct12s-deflated.dcm")
for syntax in ("ti", "te", "tb"):   # without the Part 10 header (ACR-NEMA style): implicit, explicit, big endian
    run("dcmconv", f"+{syntax}", "-F", "ct12s.dcm", f"ct12s-nometa-{syntax}.dcm")
run("dcmcrle", "ct12s.dcm", "ct12s-rle.dcm")
run("dcmcjpeg", "+e1", "ct12s.dcm", "ct12s-jpeg70.dcm")   # 1.2.840.10008.1.2.4.70: first-order prediction
for predictor in range(1, 8):                              # 1.2.840.10008.1.2.4.57: any of the seven
    run("dcmcjpeg", "+el", "+sv", str(predictor), "ct12s.dcm", f"ct12s-jpeg-sv{predictor}.dcm")
run("dcmcjpeg", "+el", "+sv", "1", "+pt", "2", "ct12s.dcm", "ct12s-jpeg-pt2.dcm")   # point transform: the 2 low bits dropped
run("gdcmconv", "--j2k", "ct12s.dcm", "ct12s-j2k.dcm")
run("dcmcjpls", "+el", "ct12s.dcm", "ct12s-jpegls.dcm")              # JPEG-LS (CharLS in DCMTK), lossless
run("gdcmconv", "-L", "ct12s.dcm", "ct12s-jpegls-gdcm.dcm")          # and GDCM's
run("dcmcjpls", "+el", "+t1", "5", "+t2", "10", "+t3", "30", "+rs", "3", "ct12s.dcm", "ct12s-jpegls-params.dcm")   # stated thresholds and reset

# MR-like: unsigned 16-bit, no window.
mr = (300 * x + 50 * y + 7).astype("<u2")
dataset(mr, "MONOCHROME2", 16).save_as("mr16u.dcm", write_like_original=False)
run("dcmcjpeg", "+el", "+sv", "4", "mr16u.dcm", "mr16u-jpeg-sv4.dcm")
# Restart markers every row (RST0 to RST7, then RST0 again), written here, checked against DCMTK's and GDCM's decoders.
restart = dataset(mr, "MONOCHROME2", 16)
restart.file_meta.TransferSyntaxUID = JPEGLosslessSV1
restart.PixelData = encapsulate([lossless_jpeg(mr, 16, restart_rows=1)])
restart["PixelData"].is_undefined_length = True
restart.is_little_endian, restart.is_implicit_VR = True, False
restart.save_as("mr16u-jpeg-restarts.dcm", write_like_original=False)
assert (decoded_elsewhere("mr16u-jpeg-restarts.dcm") == mr).all()
run("dcmcjpls", "+en", "mr16u.dcm", "mr16u-jpegls-near.dcm")         # JPEG-LS near-lossless: each sample within 2 (NEAR)

# A flat image with three spots: JPEG-LS codes it mostly in run mode, with run interruptions.
spots = np.full((H, W), 100, "<u2")
for sx, sy in [(3, 4), (17, 11), (20, 2)]: spots[sy, sx] = 4000
dataset(spots, "MONOCHROME2", 12).save_as("spots.dcm", write_like_original=False)
run("dcmcjpls", "+el", "spots.dcm", "spots-jpegls.dcm")
run("rm", "spots.dcm")
# Near-lossless over nearly flat noise with outliers: run mode with NEAR > 0, run interruptions of both kinds.
rng = np.random.default_rng(3)
nearFlat = (2000 + rng.integers(-3, 4, (H, W))).astype("<u2")
nearFlat[rng.random((H, W)) < 0.05] += 400
dataset(nearFlat, "MONOCHROME2", 12).save_as("nearflat.dcm", write_like_original=False)
run("dcmcjpls", "+en", "+pc", "+md", "3", "nearflat.dcm", "nearflat-jpegls-near3.dcm")
# 6-bit samples in cooked mode: DCMTK's CharLS codes them with thresholds T.87 does not give for 6 bits and states none,
# so a decoder that follows the standard goes out of step; it must say so, not give wrong pixels.
dataset((rng.integers(0, 64, (H, W))).astype("u1"), "MONOCHROME2", 6).save_as("noise6.dcm", write_like_original=False)
run("dcmcjpls", "+el", "+pc", "noise6.dcm", "noise6-jpegls-unstated.dcm")
run("rm", "noise6.dcm")
# Noise, where every context, sign and Golomb parameter occurs: 12 bits in cooked mode, which states no parameters (so the
# decoder's own defaults for MAXVAL 4095 are used), lossless and near-lossless (NEAR 2); and 8-bit colour, line-interleaved.
noisy = np.random.default_rng(4)
dataset(noisy.integers(0, 4096, (H, W)).astype("<u2"), "MONOCHROME2", 12).save_as("noise12.dcm", write_like_original=False)
run("dcmcjpls", "+el", "+pc", "noise12.dcm", "noise12-jpegls.dcm")
run("dcmcjpls", "+en", "+pc", "noise12.dcm", "noise12-jpegls-near.dcm")
dataset(noisy.integers(0, 256, (H, W, 3)).astype("u1"), "RGB", 8, planar=0).save_as("noise-rgb.dcm", write_like_original=False)
run("dcmcjpls", "+el", "noise-rgb.dcm", "noise-rgb-jpegls.dcm")
# Colour lossless JPEG predicting from the row above (6: b + (a - c) / 2); rgb-jpeg-lossless.dcm's first-order predictor does not.
run("dcmcjpeg", "+el", "+sv", "6", "noise-rgb.dcm", "noise-rgb-jpeg-sv6.dcm")

# 8-bit "0 is white" grey, no window; two frames (the second the negative of the first).
mono = ((10 * x + 3 * y) % 256).astype("u1")
dataset(mono, "MONOCHROME1", 8).save_as("mono1.dcm", write_like_original=False)
# 8-bit samples in 16-bit words (OW), which a big-endian file stores with each pair of bytes swapped.
inWords = dataset(mono, "MONOCHROME1", 8)
inWords["PixelData"].VR = "OW"
inWords.save_as("mono1-words.tmp", write_like_original=False)
run("dcmconv", "+tb", "mono1-words.tmp", "mono1-bigendian.dcm")
run("rm", "mono1-words.tmp")
dataset(np.stack([mono, 255 - mono]), "MONOCHROME2", 8, frames=2).save_as("frames.dcm", write_like_original=False)
run("dcmcrle", "frames.dcm", "frames-rle.dcm")
run("dcmcjpeg", "+eb", "frames.dcm", "frames-jpeg.dcm")
# Without a table of frame offsets: a JPEG frame ends with its end-of-image marker, an RLE frame is one fragment.
run("dcmcrle", "-ot", "frames.dcm", "frames-rle-notable.dcm")
run("dcmcjpeg", "+eb", "-ot", "frames.dcm", "frames-jpeg-notable.dcm")

# 8-bit colour, interleaved and in planes, and compressed.
rgb = np.stack([10 * x, 12 * y, 255 - 5 * x], axis=-1).astype("u1")
dataset(rgb, "RGB", 8, planar=0).save_as("rgb.dcm", write_like_original=False)
dataset(np.ascontiguousarray(rgb.transpose(2, 0, 1)), "RGB", 8, planar=1).save_as("rgb-planar.dcm", write_like_original=False)
run("dcmcrle", "rgb.dcm", "rgb-rle.dcm")
run("dcmcjpeg", "+eb", "rgb.dcm", "rgb-jpeg.dcm")
run("dcmcjpeg", "+eb", "+cr", "rgb.dcm", "rgb-jpeg-rgb.dcm")           # lossy but kept RGB (photometric RGB), flagged by an Adobe marker
run("dcmcjpeg", "+e1", "rgb.dcm", "rgb-jpeg-lossless.dcm")
run("dcmcjpls", "+el", "rgb.dcm", "rgb-jpegls.dcm")                   # line-interleaved colour
run("dcmcjpls", "+el", "+in", "rgb.dcm", "rgb-jpegls-planes.dcm")     # one scan per component
run("dcmcjpls", "+el", "+is", "rgb.dcm", "rgb-jpegls-samples.dcm")    # sample-interleaved: refused
# YCbCr, uncompressed: every pixel its own colour (YBR_FULL), and two pixels sharing one (YBR_FULL_422; the pattern's colour
# changes every other column so that nothing is lost).
dataset(convert_color_space(rgb, "RGB", "YBR_FULL"), "YBR_FULL", 8, planar=0).save_as("ybr.dcm", write_like_original=False)
pairs = np.stack([10 * (x // 2 * 2), 12 * y, 255 - 5 * (x // 2 * 2)], axis=-1).astype("u1")
ycc = convert_color_space(pairs, "RGB", "YBR_FULL")
packed = np.concatenate([ycc[:, 0::2, 0:1], ycc[:, 1::2, 0:1], ycc[:, 0::2, 1:2], ycc[:, 0::2, 2:3]], axis=-1)
ybr422 = dataset(packed, "YBR_FULL", 8, planar=0)
ybr422.PhotometricInterpretation = "YBR_FULL_422"
ybr422.save_as("ybr422.dcm", write_like_original=False)

# Lookup tables instead of a window or a rescale (PS3.3 C.11.1-2). A VOI LUT over the CT's rescaled values (-2024 to 3972): a
# quadratic of 4096 16-bit entries from -1500 (a signed first value, SS), so values below and above its range are clipped.
def lut(keyword, descriptor, descriptor_vr, data, data_vr):
    item = Dataset()
    item.add_new(0x00283002, descriptor_vr, descriptor)
    item.add_new(0x00283006, data_vr, np.asarray(data, "<u2").tobytes() if data_vr == "OW" else [int(v) for v in data])
    return {keyword: [item]}


quadratic = (np.arange(4096) ** 2 * 65535 // 4095 ** 2)
dataset(ct, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24",
        **lut("VOILUTSequence", [4096, -1500, 16], "SS", quadratic, "OW")).save_as("ct12s-voilut.dcm", write_like_original=False)
run("dcmconv", "+ti", "ct12s-voilut.dcm", "ct12s-voilut-implicit.dcm")    # no VR: the first value's sign from the rescale
run("dcmconv", "+tb", "ct12s-voilut.dcm", "ct12s-voilut-bigendian.dcm")
# A window and a VOI LUT: the window is shown, as viewers open it.
dataset(ct, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24", WindowCenter="1000", WindowWidth="4000",
        **lut("VOILUTSequence", [4096, -1500, 16], "SS", quadratic, "OW")).save_as("ct12s-voilut-window.dcm", write_like_original=False)
# A Modality LUT (falling, 16-bit entries) instead of a rescale: alone, and under a window of its output.
falling = 60000 - 200 * np.arange(256)
dataset(mono, "MONOCHROME2", 8, **lut("ModalityLUTSequence", [256, 0, 16], "US", falling, "US")).save_as("mono-modlut.dcm", write_like_original=False)
dataset(mono, "MONOCHROME2", 8, WindowCenter="40000", WindowWidth="20000",
        **lut("ModalityLUTSequence", [256, 0, 16], "US", falling, "US")).save_as("mono-modlut-window.dcm", write_like_original=False)
# 8-bit VOI LUT entries one to a word, and packed two to a word; a table shorter than its descriptor says (corrupt).
inverse = 255 - np.arange(256)
dataset(mono, "MONOCHROME2", 8, **lut("VOILUTSequence", [256, 0, 8], "US", inverse, "US")).save_as("mono-voilut8.dcm", write_like_original=False)
packedLut = inverse[0::2] | inverse[1::2] << 8
dataset(mono, "MONOCHROME2", 8, **lut("VOILUTSequence", [256, 0, 8], "US", packedLut, "OW")).save_as("mono-voilut8-packed.dcm", write_like_original=False)
dataset(mono, "MONOCHROME2", 8, **lut("VOILUTSequence", [256, 0, 8], "US", inverse[:100], "US")).save_as("mono-voilut-short.dcm", write_like_original=False)
dataset(mono, "MONOCHROME2", 8, VOILUTSequence=[]).save_as("mono-voilut-empty.dcm", write_like_original=False)   # no table: as if absent
