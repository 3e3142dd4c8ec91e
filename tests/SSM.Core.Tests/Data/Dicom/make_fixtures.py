#!/usr/bin/python3
"""Writes the DICOM files DicomFileTests reads: small synthetic images (their pixels are formulas the tests know), written
by pydicom and converted to other transfer syntaxes by DCMTK and GDCM, so that the reader is checked against other
programs' encoders, not against a writer of our own. Run from this folder on Debian 12:
    apt-get install python3-pydicom dcmtk libgdcm-tools && /usr/bin/python3 make_fixtures.py
"""
import subprocess
import numpy as np
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid, SecondaryCaptureImageStorage

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


# CT-like: signed 12-bit samples in 16 bits, a rescale to other units and a window that clips both ends.
ct = (-1000 + 37 * x + 113 * y).astype("<i2")
dataset(ct, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24",
        WindowCenter=["1000", "300"], WindowWidth=["4000", "600"]).save_as("ct12s.dcm", write_like_original=False)
# The same samples with bits above the high bit set (old overlay bits): they are no part of the value.
dataset((ct.view("<u2") & 0x0FFF) | 0xA000, "MONOCHROME2", 12, signed=True, RescaleSlope="2", RescaleIntercept="-24",
        WindowCenter="1000", WindowWidth="4000").save_as("ct12s-highbits.dcm", write_like_original=False)
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
run("dcmcrle", "ct12s.dcm", "ct12s-rle.dcm")
run("dcmcjpeg", "+e1", "ct12s.dcm", "ct12s-jpeg-sv1.dcm")
run("dcmcjpeg", "+el", "+sv", "7", "ct12s.dcm", "ct12s-jpeg-sv7.dcm")
run("gdcmconv", "--j2k", "ct12s.dcm", "ct12s-j2k.dcm")

# MR-like: unsigned 16-bit, no window.
mr = (300 * x + 50 * y + 7).astype("<u2")
dataset(mr, "MONOCHROME2", 16).save_as("mr16u.dcm", write_like_original=False)
run("dcmcjpeg", "+el", "+sv", "4", "mr16u.dcm", "mr16u-jpeg-sv4.dcm")

# 8-bit "0 is white" grey, no window; two frames (the second the negative of the first).
mono = ((10 * x + 3 * y) % 256).astype("u1")
dataset(mono, "MONOCHROME1", 8).save_as("mono1.dcm", write_like_original=False)
dataset(np.stack([mono, 255 - mono]), "MONOCHROME2", 8, frames=2).save_as("frames.dcm", write_like_original=False)
run("dcmcrle", "frames.dcm", "frames-rle.dcm")
run("dcmcjpeg", "+eb", "frames.dcm", "frames-jpeg.dcm")

# 8-bit colour, interleaved and in planes, and compressed.
rgb = np.stack([10 * x, 12 * y, 255 - 5 * x], axis=-1).astype("u1")
dataset(rgb, "RGB", 8, planar=0).save_as("rgb.dcm", write_like_original=False)
dataset(np.ascontiguousarray(rgb.transpose(2, 0, 1)), "RGB", 8, planar=1).save_as("rgb-planar.dcm", write_like_original=False)
run("dcmcrle", "rgb.dcm", "rgb-rle.dcm")
run("dcmcjpeg", "+eb", "rgb.dcm", "rgb-jpeg.dcm")
