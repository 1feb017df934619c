"""Read back the text of a generated PDF, for assertions."""

from io import BytesIO

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)
