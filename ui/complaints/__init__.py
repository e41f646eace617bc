"""Complaint screens: the intake form, the duty manager's listing and one complaint's detail.

form      ComplaintForm / open_complaint_form (the counter window opens it)
listing   ComplaintListWidget: filters, table and the detail beside it (overview tab)
detail    ComplaintDetailWidget: fields, history, next actions, reply editor
"""
