#!/usr/bin/python3
"""Writes the JPEG 2000 streams Jpeg2000Tests reads: small synthetic images (their samples are formulas the tests know)
coded by OpenJPEG's opj_compress with one option set each, and three DICOM files converted by GDCM (gdcmconv --j2k) from
the fixtures in ../Dicom, so that the decoder is checked against other programs' encoders, not against a writer of ours.
Losslessly coded streams must decode to the formula exactly; for the lossy (9/7) ones, opj_decompress's output is kept
beside them (*.pgm, *.ppm) and the tests compare with it. opj_compress writes no packed packet headers (PPM, PPT): two
of its streams are rewritten here with their headers moved into those markers, and opj_decompress must read them as the
images coded. Run from this folder on Debian 12:
    apt-get install libopenjp2-tools libgdcm-tools python3-pydicom && /usr/bin/python3 make_fixtures.py
"""
import os
import subprocess
import tempfile
import numpy as np
import pydicom

W, H = 37, 23   # odd in both directions and not square: tiles, precincts and subbands end part-way
x, y = np.meshgrid(np.arange(W), np.arange(H))
wrap = 13 * (x * y % 7)   # a little texture, so that code-blocks carry more than a ramp


def gray8(x, y): return (7 * x + 11 * y) % 256
def gray12(x, y): return (37 * x + 113 * y + 13 * (x * y % 7)) % 4096
def gray16(x, y): return (997 * x + 1999 * y + 13 * (x * y % 7)) % 65536
def signed12(x, y): return gray12(x, y) - 2048
def colour(x, y): return np.stack([(10 * x) % 256, (12 * y) % 256, 255 - (5 * x + 3 * y) % 256], axis=-1)


tmp = tempfile.mkdtemp()


def run(*args):
    subprocess.run(args, check=True, capture_output=True)


def pnm(path, image, maxval):
    magic = b"P5" if image.ndim == 2 else b"P6"
    data = image.astype(">u2" if maxval > 255 else "u1").tobytes()
    with open(path, "wb") as f: f.write(magic + b"\n%d %d\n%d\n" % (image.shape[1], image.shape[0], maxval) + data)


def read_pnm(path):
    with open(path, "rb") as f: data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:   # magic, width, height, maximum; comments skipped
        while data[pos:pos + 1].isspace() or data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1 if data[pos:pos + 1] == b"#" else pos + 1
        end = pos
        while not data[end:end + 1].isspace(): end += 1
        fields.append(data[pos:end])
        pos = end
    w, h, maxval = int(fields[1]), int(fields[2]), int(fields[3])
    shape = (h, w) if fields[0] == b"P5" else (h, w, 3)
    return np.frombuffer(data[pos + 1:], ">u2" if maxval > 255 else "u1").reshape(shape).astype(int)


sources = {}
def source(key, image, maxval):
    path = os.path.join(tmp, key + (".pgm" if image.ndim == 2 else ".ppm"))
    pnm(path, image, maxval)
    sources[key] = path


source("gray8", gray8(x, y), 255)
source("gray12", gray12(x, y), 4095)
source("gray16", gray16(x, y), 65535)
source("colour", colour(x, y), 255)
xb, yb = np.meshgrid(np.arange(70), np.arange(50))
source("gray12big", gray12(xb, yb), 4095)       # 70x50: room for five decomposition levels (opj_compress -n 6)
source("pixel", np.array([[1234]]), 4095)      # 1x1
source("row", gray12(np.arange(W)[None, :], np.zeros((1, W), int)), 4095)   # 37x1
raw = os.path.join(tmp, "signed12.raw")         # signed samples: opj_compress reads them only from raw files
signed12(x, y).astype(">i2").tofile(raw)
sources["signed12"] = raw
two = os.path.join(tmp, "two.raw")
np.stack([gray8(x, y), gray8(x, y)]).astype("u1").tofile(two)   # two components, planar: refused

# name: (source, opj_compress options)
streams = {
    "gray8": ("gray8", "-n 3"),
    "gray12": ("gray12", "-n 3"),
    "gray16": ("gray16", "-n 3"),
    "signed12": ("signed12", f"-n 3 -F {W},{H},1,12,s"),
    "colour-rct": ("colour", "-n 3"),
    "colour-planes": ("colour", "-n 3 -mct 0"),
    "gray12-rlcp": ("gray12", "-n 3 -p RLCP -r 8,2,1"),
    "gray12-rpcl": ("gray12", "-n 3 -p RPCL -c [16,16],[8,8] -b 4,4 -r 8,2,1"),
    "gray12-pcrl": ("gray12", "-n 3 -p PCRL -c [8,16],[8,8] -b 4,8 -t 15,11"),
    "colour-cprl": ("colour", "-n 3 -p CPRL -c [16,8] -b 8,4 -r 10,1"),
    "gray12-tiles": ("gray12", "-n 2 -t 10,6 -T 3,2 -d 4,5"),
    "gray12-tileparts": ("gray12", "-n 2 -t 16,16 -TP R"),
    "gray12-precincts": ("gray12", "-n 3 -c [8,8],[4,4],[2,2] -b 4,4"),
    "gray12-bypass": ("gray12", "-n 3 -M 1"),
    "gray12-reset": ("gray12", "-n 3 -M 2"),
    "gray12-termall": ("gray12", "-n 3 -M 4"),
    "gray12-causal": ("gray12", "-n 3 -M 8"),
    "gray12-erterm": ("gray12", "-n 3 -M 16"),
    "gray12-segsym": ("gray12", "-n 3 -M 32"),
    "gray16-allmodes": ("gray16", "-n 3 -M 63 -r 20,5,1 -p CPRL -t 12,12"),
    "gray12-bypass-layers": ("gray12", "-n 3 -M 5 -r 8,4,2,1"),
    "gray12-sop-eph": ("gray12", "-n 3 -SOP -EPH -r 4,1"),
    "gray12-layers": ("gray12", "-n 3 -r 30,10,3,1"),
    "gray12-poc": ("gray12", "-n 3 -r 10,1 -POC T0=0,0,1,2,1,LRCP/T0=0,0,2,4,1,RPCL"),
    "gray12-levels0": ("gray12", "-n 1"),
    "gray12-levels5": ("gray12big", "-n 6 -b 4,4"),
    "pixel": ("pixel", "-n 1"),
    "row": ("row", "-n 1 -b 4,4"),
    "gray12-lossy": ("gray12", "-n 3 -I -r 6"),
    "gray16-lossy-layers": ("gray16", "-n 3 -I -r 20,4 -p RPCL"),
    "colour-lossy": ("colour", "-n 3 -I -r 8"),
    "colour-lossy-modes": ("colour", "-n 2 -I -r 10,3 -M 61 -t 20,12"),
}
for name, (key, options) in streams.items():
    run("opj_compress", "-i", sources[key], "-o", name + ".j2k", *options.split())
    if "-I" in options: run("opj_decompress", "-i", name + ".j2k", "-o", name + (".ppm" if key == "colour" else ".pgm"))


def pack_headers(source, target, marker):
    """Moves every packet header of an opj_compress stream written with -SOP -EPH into PPT segments (each tile-part's,
    written in reverse order of their index Zppt) or PPM segments (the main header's, with the runs Nppm of each
    tile-part), as A.7.4 and A.7.5 allow; the bodies stay in the tile-parts. An SOP marker starts each packet and an EPH
    ends its header, and neither pair of bytes occurs inside packet data, so the packets split at them."""
    d = open(source, "rb").read()
    u16 = lambda p: d[p] << 8 | d[p + 1]
    pos = 2
    while u16(pos) != 0xFF90: pos += 2 + u16(pos + 2)
    main, parts = d[:pos], []
    while u16(pos) == 0xFF90:
        sot, psot = pos, int.from_bytes(d[pos + 6:pos + 10], "big")
        pos += 12
        while u16(pos) != 0xFF93: pos += 2 + u16(pos + 2)
        headers, bodies = b"", b""
        for piece in d[pos + 2:sot + psot].split(b"\xff\x91")[1:]:
            end = piece.index(b"\xff\x92") + 2
            headers += piece[4:end]
            bodies += b"\xff\x91" + piece[:4] + piece[end:]
        parts.append((d[sot:sot + 12], d[sot + 12:pos], headers, bodies))
        pos = sot + psot
    segment = lambda code, z, body: bytes([0xFF, code]) + (len(body) + 3).to_bytes(2, "big") + bytes([z]) + body
    if marker == "PPM":
        runs = b"".join(len(h).to_bytes(4, "big") + h for _, _, h, _ in parts)
        main += b"".join(segment(0x60, z, runs[i:i + 60]) for z, i in enumerate(range(0, len(runs), 60)))
    out = main
    for sot, header, headers, bodies in parts:
        if marker == "PPT":
            chunks = [segment(0x61, z, headers[i:i + 40]) for z, i in enumerate(range(0, len(headers), 40))]
            header += b"".join(reversed(chunks))
        length = 12 + len(header) + 2 + len(bodies)
        out += sot[:6] + length.to_bytes(4, "big") + sot[10:] + header + b"\xff\x93" + bodies
    open(target, "wb").write(out + b"\xff\xd9")


run("opj_compress", "-i", sources["gray12"], "-o", os.path.join(tmp, "ppt.j2k"), *"-n 2 -t 16,16 -r 4,1 -SOP -EPH".split())
pack_headers(os.path.join(tmp, "ppt.j2k"), "gray12-ppt.j2k", "PPT")
run("opj_compress", "-i", sources["colour"], "-o", os.path.join(tmp, "ppm.j2k"), *"-n 3 -TP R -p RPCL -SOP -EPH".split())
pack_headers(os.path.join(tmp, "ppm.j2k"), "colour-ppm.j2k", "PPM")
for name, expected in (("gray12-ppt.pgm", gray12(x, y)), ("colour-ppm.ppm", colour(x, y))):   # OpenJPEG reads them as the images coded
    run("opj_decompress", "-i", name[:-4] + ".j2k", "-o", os.path.join(tmp, name))
    assert (read_pnm(os.path.join(tmp, name)) == expected).all(), name
run("opj_compress", "-i", sources["gray12"], "-o", "gray12.jp2", "-n", "3")                  # a JP2 file, not a raw codestream
run("opj_compress", "-i", two, "-o", "two-components.j2k", "-F", f"{W},{H},2,8,u", "-n", "3")
run("opj_compress", "-i", sources["gray8"], "-o", "subsampled.j2k", "-s", "2,2", "-n", "2")
run("opj_compress", "-i", sources["gray8"], "-o", "roi.j2k", "-ROI", "c=0,U=2", "-n", "3")

# DICOM: GDCM's JPEG 2000 (1.2.840.10008.1.2.4.90) of ../Dicom's CT (signed 12-bit), MR (16-bit) and RGB images.
for dicom in ("ct12s", "mr16u", "rgb"):
    run("gdcmconv", "--j2k", f"../Dicom/{dicom}.dcm", f"{dicom}-j2k.dcm")
run("gdcmconv", "--j2k", "--lossy", "--irreversible", "-r", "4", "../Dicom/mr16u.dcm", "mr16u-j2k-lossy.dcm")   # .91, 9/7
run("gdcmconv", "--raw", "mr16u-j2k-lossy.dcm", os.path.join(tmp, "mr16u-lossy-raw.dcm"))
pydicom.dcmread(os.path.join(tmp, "mr16u-lossy-raw.dcm")).pixel_array.astype(">u2").tofile(os.path.join(tmp, "mr.raw"))
with open(os.path.join(tmp, "mr.raw"), "rb") as f: mr = np.frombuffer(f.read(), ">u2").reshape(20, 24)
pnm("mr16u-j2k-lossy.pgm", mr, 65535)   # what GDCM (OpenJPEG inside) decodes it to

# DICOM wrappers written here around streams of known samples, for what the reader does with a frame: a stream whose
# own component transform (MCT) coded RGB, mislabelled YBR_FULL (PS3.5 asks YBR_RCT); two frames without an offset table
# whose first lacks its end marker (EOC); and a lossy 12-bit checkerboard whose stream GDCM declares as 16-bit, so that
# its edges overshoot 4095.
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import generate_uid, SecondaryCaptureImageStorage, ExplicitVRLittleEndian


def dicom(path, rows, columns, photometric, bits, frames, syntax, pixel_data, encapsulated=True):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[path])
    meta.TransferSyntaxUID = syntax
    ds = FileDataset("", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = 1 if photometric.startswith("MONO") else 3
    ds.PhotometricInterpretation = photometric
    if ds.SamplesPerPixel == 3: ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8 if bits <= 8 else 16, bits, bits - 1, 0
    if frames > 1: ds.NumberOfFrames = frames
    ds.PixelData = encapsulate(pixel_data, has_bot=False) if encapsulated else pixel_data
    if encapsulated: ds["PixelData"].is_undefined_length = True
    ds.save_as(path, write_like_original=False)


with open("colour-rct.j2k", "rb") as f: rct = f.read()
dicom("colour-mct-as-ybrfull.dcm", H, W, "YBR_FULL", 8, 1, "1.2.840.10008.1.2.4.90", [rct])
run("opj_compress", "-i", sources["gray8"], "-o", os.path.join(tmp, "f0.j2k"), "-n", "3")
pnm(os.path.join(tmp, "inverse.pgm"), 255 - gray8(x, y), 255)
run("opj_compress", "-i", os.path.join(tmp, "inverse.pgm"), "-o", os.path.join(tmp, "f1.j2k"), "-n", "3")
with open(os.path.join(tmp, "f0.j2k"), "rb") as f: f0 = f.read()
with open(os.path.join(tmp, "f1.j2k"), "rb") as f: f1 = f.read()
assert f0.endswith(b"\xff\xd9")
dicom("frames-noeoc.dcm", H, W, "MONOCHROME2", 8, 2, "1.2.840.10008.1.2.4.90", [f0[:-2], f1])
xs, ys = np.meshgrid(np.arange(32), np.arange(32))
checker = (((xs // 8 + ys // 8) % 2) * 4095).astype("<u2")
dicom(os.path.join(tmp, "checker.dcm"), 32, 32, "MONOCHROME2", 12, 1, ExplicitVRLittleEndian, checker.tobytes(), encapsulated=False)
run("gdcmconv", "--j2k", "--lossy", "--irreversible", "-r", "20", os.path.join(tmp, "checker.dcm"), "checker12-j2k-lossy.dcm")

for name in sorted(os.listdir(".")):
    if name.endswith((".j2k", ".jp2", ".dcm")): print(f"{name:32} {os.path.getsize(name):6} bytes")
