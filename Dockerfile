# de-workbook: Node 20 on Debian bookworm with Jupyter from Debian.
#   docker build -t de-workbook .
#   docker run -p 8888:8888 de-workbook          # Jupyter Notebook on http://localhost:8888
#   docker run de-workbook npm start             # every notebook in batch, copies in out/
FROM node:20-bookworm
WORKDIR /workbook
COPY . .
# The same install script CI runs (Debian packages, npm ci, kernelspec).
RUN bash scripts/install.sh && rm -rf /var/lib/apt/lists/*
EXPOSE 8888
CMD ["jupyter", "notebook", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--allow-root", "--notebook-dir=/workbook/notebooks"]
