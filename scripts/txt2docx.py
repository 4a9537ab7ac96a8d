#!/usr/bin/env python3
"""Writes a minimal Word (.docx) file from a UTF-8 text file, one paragraph per line.

usage: txt2docx.py IN.txt OUT.docx

Used to build the .docx transcripts of data-sample/ the way Word stores Hebrew:
right-to-left paragraphs (w:bidi), runs marked w:rtl, and a paragraph's text split
over several runs, as Word does after editing.
"""
import sys, zipfile
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"""


def run(text):
    return ('<w:r><w:rPr><w:rtl/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>' % escape(text))


def paragraph(line):
    if not line:
        return '<w:p><w:pPr><w:bidi/></w:pPr></w:p>'
    # Split the line into up to three runs at spaces, as Word does after edits.
    words = line.split(" ")
    cuts = [len(words) // 3, 2 * len(words) // 3]
    parts, prev = [], 0
    for c in cuts + [len(words)]:
        if c > prev:
            chunk = " ".join(words[prev:c])
            if c < len(words):
                chunk += " "
            parts.append(chunk)
            prev = c
    return '<w:p><w:pPr><w:bidi/></w:pPr>%s</w:p>' % "".join(run(p) for p in parts)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    lines = open(src, encoding="utf-8").read().replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = "".join(paragraph(l) for l in lines)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body>%s<w:sectPr><w:bidi/></w:sectPr></w:body></w:document>' % body)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS), ("word/document.xml", doc)):
            info = zipfile.ZipInfo(name, date_time=(2018, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


if __name__ == "__main__":
    main()
