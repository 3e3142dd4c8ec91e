"""Compares the library's decoding of DICOM files (the .bin files `dicom-check` writes: channels, height, width as int32,
then float32 values in [0, 1], CHW) with pydicom's: the same rescale, first LINEAR window or full range of the stored
bits, MONOCHROME1 turned round, YBR converted to RGB. Prints one row per file and the largest difference."""
import os
import sys
import warnings

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import convert_color_space

warnings.simplefilter("ignore")
folder, decoded = sys.argv[1], sys.argv[2]


def first(value):
    return float(value[0] if isinstance(value, pydicom.multival.MultiValue) else value)


def expected(ds):
    pixels = ds.pixel_array
    if int(getattr(ds, "NumberOfFrames", 1) or 1) > 1:
        pixels = pixels[0]
    photometric = ds.PhotometricInterpretation
    if ds.SamplesPerPixel == 3:
        if photometric.startswith("YBR"):
            pixels = convert_color_space(pixels, photometric, "RGB")
        return pixels.astype(float).transpose(2, 0, 1) / (2 ** ds.BitsStored - 1)
    v, bits = pixels.astype(float), ds.BitsStored
    low = -(2 ** (bits - 1)) if ds.PixelRepresentation == 1 else 0
    if "WindowCenter" in ds and "WindowWidth" in ds:
        x = v * float(getattr(ds, "RescaleSlope", 1) or 1) + float(getattr(ds, "RescaleIntercept", 0) or 0)
        c, w = first(ds.WindowCenter), first(ds.WindowWidth)
        shown = np.where(x <= c - 0.5 - (w - 1) / 2, 0, np.where(x > c - 0.5 + (w - 1) / 2, 1, (x - (c - 0.5)) / (w - 1) + 0.5))
    else:
        shown = (v - low) / (2 ** bits - 1)
    return (1 - shown if photometric == "MONOCHROME1" else shown)[None]


print(f"| file | photometric | transfer syntax | largest difference |\n|---|---|---|---|")
worst = 0.0
for name in sorted(os.listdir(decoded)):
    raw = open(os.path.join(decoded, name), "rb").read()
    shape = np.frombuffer(raw[:12], "<i4")
    ours = np.frombuffer(raw[12:], "<f4").reshape(shape)
    ds = pydicom.dcmread(os.path.join(folder, name[:-4]))
    try:
        theirs = expected(ds)
    except Exception as e:   # pydicom lacks a decoder (its JPEG plugins are optional)
        print(f"| {name[:-4]} | {ds.PhotometricInterpretation} | {ds.file_meta.TransferSyntaxUID.name} | pydicom cannot decode it: {str(e)[:60]} |")
        continue
    difference = float(np.abs(ours - theirs).max()) if ours.shape == theirs.shape else float("inf")
    worst = max(worst, difference)
    print(f"| {name[:-4]} | {ds.PhotometricInterpretation} | {ds.file_meta.TransferSyntaxUID.name} | {difference:.1e} |")
print(f"\nlargest difference over every file pydicom decodes: {worst:.1e}")
