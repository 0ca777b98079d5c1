"""Data exchange: imports (CSV/XLSX, Maven CRM, Salesforce), exports, and the demo company."""
