"""The face: what people and programs touch, composed from the stages.

The command line (``cli/``), the demo run (``demo.py``), the environment check
(``doctor.py``), the refresh job that runs crawl then index (``refresh.py``), the
Streamlit pages (``ui/``, started by ``streamlit_app.py``), the HTTP API
(``server/``) and the composed settings (``config.py``). The face imports the
stages; no stage and no base module imports the face (``tests/test_layers.py``).
"""
