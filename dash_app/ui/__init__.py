"""What pages share: localized names, quantities, dates, labels, reasons, alerts, forms, chart styling, shell ids."""
