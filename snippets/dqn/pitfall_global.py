"""Epsilon kept in a global and declared `global` after its use: Python refuses to compile."""

agent_code = """
epsilon = 1.0

def act(q_values):
    if random.random() < epsilon:
        return random.randrange(2)
    global epsilon
    epsilon *= 0.995
    return q_values.argmax()
"""
compile(agent_code, "agent.py", "exec")  # SyntaxError: name 'epsilon' is used prior to global
