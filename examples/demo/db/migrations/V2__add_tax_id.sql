-- Payroll needs the employee's taxpayer id.
ALTER TABLE public.employees ADD COLUMN tax_id varchar(11);
