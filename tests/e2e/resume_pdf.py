"""A one-page resume PDF with facts the scenario looks for, generated with fpdf2."""

from fpdf import FPDF

RESUME_NAME = "jordan-reyes-resume.pdf"
LINES = [
    ("title", "Jordan Reyes"),
    ("body", "Backend engineer - jordan.reyes@example.com - Lisbon, Portugal"),
    ("head", "Experience"),
    ("body", "Senior Backend Engineer, Paylane (2019 - present)"),
    ("body", "Built payment systems in Python and Go that settle card transactions."),
    ("body", "Backend Engineer, Shopwise (2016 - 2019)"),
    ("body", "Wrote Django services and PostgreSQL schemas for an online store."),
    ("head", "Education"),
    ("body", "BSc Computer Science, University of Porto (2016)"),
    ("head", "Skills"),
    ("body", "Python, Go, Django, PostgreSQL, Redis"),
]


def write_resume_pdf(path):
    pdf = FPDF()
    pdf.add_page()
    for kind, text in LINES:
        if kind == "title":
            pdf.set_font("Helvetica", "B", 20)
        elif kind == "head":
            pdf.ln(4)
            pdf.set_font("Helvetica", "B", 14)
        else:
            pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
