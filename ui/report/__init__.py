"""The summary on paper: the document, its charts, print preview and `hall-app report`.

document  the A4 document (QTextDocument) rendered from the report's sections, its own
          pagination, write_pdf / print_document
charts    charts drawn from the sections' chart data
printing  print preview and printing from a window (the overview's button)
cli       `hall-app report (--date D | --week W | --month M) [--pdf FILE] [--csv DIR]`

What is printed, and in which order, is decided in the core: hall_app.metrics.sections.
"""
