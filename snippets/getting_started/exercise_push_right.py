import gymnasium as gym

env = gym.make("CartPole-v1")
lengths = []
for episode in range(100):
    observation, info = env.reset(seed=episode)
    steps, done = 0, False
    while not done:
        observation, reward, terminated, truncated, info = env.step(1)  # always push right
        steps += 1
        done = terminated or truncated
    lengths.append(steps)
env.close()
print(f"always right: mean return {sum(lengths) / len(lengths):.1f}")
