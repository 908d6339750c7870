import PWSCore
