"""TinyPersist compiler: int8 TFLite model -> model-specific C.

compile.compile_model is the pipeline (reader -> IR -> passes -> lowering -> memory plan
-> persistence plan); generate.generate writes its C; model.py holds the types it hands on.
"""
