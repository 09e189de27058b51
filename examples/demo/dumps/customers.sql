--
-- PostgreSQL database dump
--

-- Dumped from database version 15.19
-- Dumped by pg_dump version 15.19

SET statement_timeout = 0;
SET client_encoding = 'UTF8';

--
-- Data for Name: customers; Type: TABLE DATA; Schema: public; Owner: billing
--

COPY public.customers (id, first_name, last_name, email, ssn, date_of_birth, phone, order_number, created_at) FROM stdin;
1	Maria	Gonzalez	maria.gonzalez@mailbox.test.org	536-22-8119	1984-07-19	(415) 867-5309	ORD-2023-88412	2023-01-04 10:12:55+00
2	Daniel	Okafor	d.okafor@fastmail.net	402-71-3356	1990-11-02	\N	ORD-2023-88413	2023-01-04 10:14:03+00
3	Wei	Chen	wei.chen@corp-mail.net	148-09-7731	1979-03-28	212-867-5309	ORD-2023-88414	2023-01-05 08:01:41+00
4	Priya	Raman	priya.r@inbox.net	000-12-3456	1988-05-15	\N	ORD-2023-88415	2023-01-05 09:30:00+00
5	John	Miller	jmiller@post.net	666-40-1234	1975-09-09	\N	ORD-2023-88416	2023-01-06 17:45:12+00
6	Ana	Silva	ana.silva@correo.net	912-34-5678	1993-12-24	\N	ORD-2023-88417	2023-01-07 11:11:11+00
\.

--
-- Data for Name: employees; Type: TABLE DATA; Schema: public; Owner: billing
--

COPY public.employees (id, full_name, work_email, ssn_hash, hired_on, tax_id) FROM stdin;
1	Grace Hopper	grace@billing-co.net	5f7d0c1e9a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d	2019-04-01	321-54-9876
2	Alan Turing	alan@billing-co.net	0a1b2c3d4e5f60718293a4b5c6d7e8f901234567	2020-06-15	287-65-4321
\.
