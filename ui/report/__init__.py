"""The daily summary on paper: the document, its charts, print preview and `hall-app report`.

document  the A4 document (QTextDocument) and write_pdf / print_document
charts    the charts painted into it
printing  print preview and printing from a window (the overview's button)
cli       `hall-app report --date D [--hall CODE] [--pdf FILE] [--csv DIR]`
"""
